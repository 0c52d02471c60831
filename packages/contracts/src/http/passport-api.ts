import Type, { type Static } from 'typebox';
import { Verdict, VerdictStatus } from './personalization';
import { Allergen, NutriScore, Nutrition, Packaging, Passport, ScannedIdentifier } from './passport';
import { ProblemDetails } from './problem';

/** A GTIN as a caller may write it: 8, 12, 13 or 14 digits (normalised to 14 by the service). */
export const GtinParam = Type.Object({ gtin: Type.String({ pattern: '^\\d{8}$|^\\d{12,14}$' }) });

/** What search and Brand listings return for each product. */
export const PassportSummary = Type.Object({
  gtin: Type.String(),
  name: Type.String(),
  brand: Type.Object({ id: Type.Union([Type.String(), Type.Null()]), name: Type.String() }),
  category: Type.Optional(Type.String()),
  quantity: Type.Optional(Type.String()),
  labels: Type.Array(Type.String()),
  nutriScore: Type.Optional(Type.Union([NutriScore, Type.Null()])),
});
export type PassportSummary = Static<typeof PassportSummary>;

/** Query strings are strings (the kit does not coerce types): limits are digits, checked by the service (1-100). */
export const LimitParam = Type.String({ pattern: '^[1-9][0-9]?$|^100$', description: '1 to 100' });

export const ProductSearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(LimitParam),
});
export const ProductList = Type.Object({ items: Type.Array(PassportSummary) });

/** No minLength: an empty code is an unreadable code, answered 400 `invalid_gs1_code` by the parser like any other. */
export const ScanRequest = Type.Object(
  { code: Type.String({ maxLength: 8192 }) },
  { additionalProperties: false },
);

/**
 * 400 `invalid_gs1_code`: a problem (RFC 9457 section 3.2 extension members) that also says where the
 * parser refused the code, when it knows: `position` (0-based index into the trimmed code) and `ai`.
 */
export const Gs1ProblemDetails = Type.Object(
  {
    ...ProblemDetails.properties,
    position: Type.Optional(Type.Integer({ minimum: 0 })),
    ai: Type.Optional(Type.String()),
  },
  { $id: 'Gs1ProblemDetails' },
);
export type Gs1ProblemDetails = Static<typeof Gs1ProblemDetails>;

export const ScanResult = Type.Object({
  scanId: Type.String(),
  scannedAt: Type.String(),
  identifier: ScannedIdentifier,
  passport: Passport,
  verdict: Type.Union([Verdict, Type.Null()]),
  verdictStatus: VerdictStatus,
});
export type ScanResult = Static<typeof ScanResult>;

export const ScanListQuery = Type.Object({
  limit: Type.Optional(LimitParam),
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

export const ScanListItem = Type.Object({
  scanId: Type.String(),
  scannedAt: Type.String(),
  identifier: ScannedIdentifier,
  product: Type.Object({
    gtin: Type.String(),
    name: Type.String(),
    brand: Type.Object({ id: Type.Union([Type.String(), Type.Null()]), name: Type.String() }),
  }),
});
export const ScanList = Type.Object({
  items: Type.Array(ScanListItem),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

const NutriScoreCategory = Type.Union(
  ['general', 'cheese', 'fats_oils_nuts_seeds', 'red_meat', 'beverage', 'water'].map((c) => Type.Literal(c)),
);

/** What a Brand publishes: the passport minus what the platform fills in (gtin, brand, Nutri-Score, recalls). */
export const BrandProductInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    quantity: Type.Optional(Type.String({ maxLength: 50 })),
    ingredients: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200 }),
    allergens: Type.Array(Allergen, { uniqueItems: true }),
    traces: Type.Array(Allergen, { uniqueItems: true }),
    labels: Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_]{1,49}$' }), {
      uniqueItems: true,
      maxItems: 30,
    }),
    nutrition: Nutrition,
    packaging: Type.Optional(Type.Array(Packaging, { maxItems: 20 })),
    origin: Type.Optional(Type.String({ maxLength: 100 })),
    /** Nutri-Score 2023 category; `general` when absent. */
    nutriScoreCategory: Type.Optional(NutriScoreCategory),
    fruitVegetableLegumesPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    shelfLifeDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
    expiryKind: Type.Optional(Type.Union([Type.Literal('use_by'), Type.Literal('best_before')])),
  },
  { additionalProperties: false },
);
export type BrandProductInput = Static<typeof BrandProductInput>;

/**
 * The publish settings of a Brand's product as stored (GET /api/v1/brand/products), so the editor can
 * prefill them. Each is present when known: products published before they were stored may lack
 * `nutriScoreCategory` and `fruitVegetableLegumesPercent`.
 */
export const PublishSettings = Type.Object({
  nutriScoreCategory: Type.Optional(NutriScoreCategory),
  fruitVegetableLegumesPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  shelfLifeDays: Type.Optional(Type.Integer({ minimum: 0 })),
  expiryKind: Type.Optional(Type.Union([Type.Literal('use_by'), Type.Literal('best_before')])),
});
export type PublishSettings = Static<typeof PublishSettings>;

/** A Brand's own product in GET /api/v1/brand/products: the summary plus its publish settings. */
export const BrandProductSummary = Type.Object({
  ...PassportSummary.properties,
  publishSettings: Type.Optional(PublishSettings),
});
export type BrandProductSummary = Static<typeof BrandProductSummary>;
export const BrandProductList = Type.Object({ items: Type.Array(BrandProductSummary) });

export const RecallRequest = Type.Object(
  {
    batch: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    reason: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
);
export const Recall = Type.Object({
  recallId: Type.String(),
  gtin: Type.String(),
  batch: Type.Optional(Type.String()),
  reason: Type.String(),
  recalledAt: Type.String(),
});
export type Recall = Static<typeof Recall>;

/** Internal: what Fridge gets for a scan of the asking account (GET /internal/scans/{scanId}/snapshot). */
export const ScanSnapshot = Type.Object({
  scanId: Type.String(),
  scannedAt: Type.String(),
  gtin: Type.String(),
  name: Type.String(),
  brand: Type.Object({ id: Type.Union([Type.String(), Type.Null()]), name: Type.String() }),
  category: Type.Optional(Type.String()),
  batch: Type.Optional(Type.String()),
  expiry: Type.Optional(Type.String()),
  bestBefore: Type.Optional(Type.String()),
  shelfLifeDays: Type.Integer(),
  expiryKind: Type.Union([Type.Literal('use_by'), Type.Literal('best_before')]),
});
export type ScanSnapshot = Static<typeof ScanSnapshot>;
