import Type, { type Static } from 'typebox';
import { Passport } from './passport';
import { Verdict } from './personalization';

/** Internal: Passport asks for a verdict on a product for a signed-in account (POST /internal/verdicts). */
export const VerdictRequest = Type.Object({ accountId: Type.String({ format: 'uuid' }), product: Passport });
export type VerdictRequest = Static<typeof VerdictRequest>;

export const VerdictResponse = Type.Union([
  Type.Object({ status: Type.Literal('ok'), verdict: Verdict }),
  Type.Object({ status: Type.Literal('no_profile'), verdict: Type.Null() }),
]);
export type VerdictResponse = Static<typeof VerdictResponse>;

/** A verdict rule set as published at GET /api/v1/verdict-rules: versioned data, never edited. */
export const VerdictRuleSetBody = Type.Object({
  version: Type.String(),
  rules: Type.Record(Type.String(), Type.Unknown()),
});
