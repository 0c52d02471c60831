import Type, { type Static } from 'typebox';

/** The 14 EU allergens (Regulation (EU) No 1169/2011, Annex II), as codes. */
export const ALLERGENS = [
  'gluten',
  'crustaceans',
  'eggs',
  'fish',
  'peanuts',
  'soybeans',
  'milk',
  'nuts',
  'celery',
  'mustard',
  'sesame',
  'sulphites',
  'lupin',
  'molluscs',
] as const;
export const Allergen = Type.Enum(ALLERGENS);
export type Allergen = (typeof ALLERGENS)[number];

export const DIETS = ['vegan', 'vegetarian', 'gluten_free', 'lactose_free'] as const;
export const Diet = Type.Enum(DIETS);
export type Diet = (typeof DIETS)[number];

const Grams = Type.Number({ minimum: 0, maximum: 100 });

/** Per 100 g or 100 ml. */
export const Nutrition = Type.Object({
  energyKcal: Type.Number({ minimum: 0, maximum: 900 }),
  fat: Grams,
  saturatedFat: Grams,
  carbohydrates: Grams,
  sugars: Grams,
  fiber: Grams,
  protein: Grams,
  salt: Grams,
});
export type Nutrition = Static<typeof Nutrition>;

export const Packaging = Type.Object({
  material: Type.String({ minLength: 1, maxLength: 100 }),
  recyclable: Type.Boolean(),
});

export const NutriScore = Type.Object({
  grade: Type.Union([
    Type.Literal('A'),
    Type.Literal('B'),
    Type.Literal('C'),
    Type.Literal('D'),
    Type.Literal('E'),
  ]),
  points: Type.Integer(),
  version: Type.String(),
});

export const Passport = Type.Object(
  {
    gtin: Type.String({ pattern: '^\\d{14}$' }),
    name: Type.String(),
    brand: Type.Object({ id: Type.Union([Type.String(), Type.Null()]), name: Type.String() }),
    category: Type.Optional(Type.String()),
    quantity: Type.Optional(Type.String()),
    ingredients: Type.Array(Type.String()),
    allergens: Type.Array(Type.String()),
    traces: Type.Array(Type.String()),
    labels: Type.Array(Type.String()),
    nutrition: Nutrition,
    packaging: Type.Optional(Type.Array(Packaging)),
    origin: Type.Optional(Type.String()),
    nutriScore: Type.Optional(Type.Union([NutriScore, Type.Null()])),
    recalls: Type.Optional(
      Type.Array(
        Type.Object({
          recallId: Type.String(),
          batch: Type.Optional(Type.String()),
          reason: Type.String(),
          recalledAt: Type.String(),
        }),
      ),
    ),
  },
  { $id: 'Passport' },
);
export type Passport = Static<typeof Passport>;

/** What a scanned code identified (GS1 AIs 01, 10, 17, 21). */
export const ScannedIdentifier = Type.Object({
  gtin: Type.String({ pattern: '^\\d{14}$' }),
  batch: Type.Optional(Type.String()),
  expiry: Type.Optional(Type.String()),
  bestBefore: Type.Optional(Type.String()),
  serial: Type.Optional(Type.String()),
});
export type ScannedIdentifier = Static<typeof ScannedIdentifier>;
