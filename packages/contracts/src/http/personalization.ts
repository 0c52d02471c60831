import Type, { type Static } from 'typebox';
import { Allergen, Diet } from './passport';

const Limit = Type.Optional(Type.Number({ minimum: 0, maximum: 1000 }));

export const HealthProfile = Type.Object(
  {
    allergens: Type.Array(Allergen, { uniqueItems: true, maxItems: 14 }),
    diets: Type.Array(Diet, { uniqueItems: true, maxItems: 4 }),
    limits: Type.Object(
      { sugars: Limit, salt: Limit, saturatedFat: Limit, fat: Limit, energyKcal: Limit },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, $id: 'HealthProfile' },
);
export type HealthProfile = Static<typeof HealthProfile>;

export const VERDICT_REASON_CODES = [
  'allergen_present',
  'allergen_traces',
  'diet_conflict',
  'nutrient_over_limit',
] as const;

export const VerdictReason = Type.Object({
  code: Type.String(),
  message: Type.String(),
  /** The product facts that triggered the reason, so a verdict can be explained and replayed. */
  facts: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const Verdict = Type.Object(
  {
    rating: Type.Union([Type.Literal('suitable'), Type.Literal('caution'), Type.Literal('unsuitable')]),
    reasons: Type.Array(VerdictReason),
    ruleSetVersion: Type.String(),
  },
  { $id: 'Verdict' },
);
export type Verdict = Static<typeof Verdict>;

export const VerdictStatus = Type.Union([
  Type.Literal('ok'),
  Type.Literal('anonymous'),
  Type.Literal('no_profile'),
  Type.Literal('unavailable'),
]);
export type VerdictStatus = Static<typeof VerdictStatus>;
