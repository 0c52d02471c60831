/**
 * Demo catalog (dev only): real-looking products for the three demo Brands of
 * docs/development.md. Fully deterministic: products are the cross product of hand-written
 * product families × flavours × pack sizes, in declaration order; no randomness.
 *
 * Consistency by construction:
 * - allergens come from the ingredient table (ingredients.ts), traces never repeat an allergen;
 * - `vegan` / `vegetarian` / `gluten_free` labels are kept only when the ingredients,
 *   allergens and traces allow them;
 * - energy is computed from the macronutrients with the EU Regulation 1169/2011 Annex XIV
 *   factors (carbohydrate and protein 4 kcal/g, fat 9 kcal/g, fibre 2 kcal/g).
 * GTINs: GTIN-13 = Brand GS1 company prefix (7 digits) + 5-digit item reference + mod-10 check
 * digit (GS1 General Specifications §7.9.1), stored as GTIN-14 with a leading 0.
 */
import type { NutriScoreCategory, NutriScoreInput } from '../../domain/nutri-score';
import { NON_NUTRITIVE_SWEETENERS, ingredientFacts, type Allergen } from './ingredients';
import {
  FAMILIES,
  type BrandKey,
  type CatalogCategory,
  type Family,
  type Flavour,
  type Label,
  type Macros,
  type PackagingPart,
} from './families';

export { EU_ALLERGENS, type Allergen } from './ingredients';
export type { CatalogCategory, Label, Macros } from './families';
export type Packaging = PackagingPart;

export interface DemoBrand {
  id: string;
  name: string;
  /** GS1 company prefixes the Brand owns. */
  prefixes: readonly string[];
}

/** The demo Brands, as fixed in docs/development.md ("Demo data"). */
export const DEMO_BRANDS = {
  nordhavn: {
    id: '8a1f2c3d-0000-4000-8000-000000000001',
    name: 'Nordhavn Foods',
    prefixes: ['5701234'],
  },
  alpenmilch: {
    id: '8a1f2c3d-0000-4000-8000-000000000002',
    name: 'Alpenmilch',
    prefixes: ['4012345'],
  },
  verdeValle: {
    id: '8a1f2c3d-0000-4000-8000-000000000003',
    name: 'Verde Valle',
    prefixes: ['8437001'],
  },
} as const satisfies Record<BrandKey, DemoBrand>;

/** Per 100 g or 100 ml. */
export interface Nutrition extends Macros {
  energyKcal: number;
}

export interface DemoProduct {
  /** GTIN-14 (GTIN-13 with a leading 0). */
  gtin: string;
  name: string;
  brandId: string;
  brandName: string;
  category: CatalogCategory;
  nutriScoreCategory: NutriScoreCategory;
  quantity: string;
  ingredients: string[];
  allergens: Allergen[];
  traces: Allergen[];
  labels: Label[];
  nutrition: Nutrition;
  fruitVegetableLegumesPercent: number;
  packaging: Packaging[];
  origin: string;
  shelfLifeDays: number;
  expiryKind: 'use_by' | 'best_before';
}

/** First item reference per Brand: leaves room below for hand-made test products. */
const FIRST_ITEM_REFERENCE = 10001;

export function demoCatalog(): DemoProduct[] {
  const nextItem = new Map<BrandKey, number>();
  const products: DemoProduct[] = [];
  for (const family of FAMILIES) {
    for (const flavour of family.flavours) {
      for (const size of family.sizes) {
        const item = nextItem.get(family.brand) ?? FIRST_ITEM_REFERENCE;
        nextItem.set(family.brand, item + 1);
        products.push(buildProduct(family, flavour, size, item));
      }
    }
  }
  return products;
}

function buildProduct(family: Family, flavour: Flavour, size: number, item: number): DemoProduct {
  const brand = DEMO_BRANDS[family.brand];
  const ingredients = ingredientsOf(family, flavour);
  const allergens = allergensOf(ingredients);
  const traces = [...new Set([...family.traces, ...(flavour.traces ?? [])])].filter(
    (trace) => !allergens.includes(trace),
  );
  return {
    gtin: demoGtin14(brand.prefixes[0], item),
    name: productName(family, flavour),
    brandId: brand.id,
    brandName: brand.name,
    category: family.category,
    nutriScoreCategory: flavour.nutriScoreCategory ?? family.nutriScoreCategory,
    quantity: formatQuantity(size, family.unit),
    ingredients,
    allergens,
    traces,
    labels: labelsOf(family, flavour, ingredients, allergens, traces),
    nutrition: nutritionOf(family.nutrition, flavour.nutrition),
    fruitVegetableLegumesPercent: flavour.fruitVegetableLegumesPercent ?? family.fruitVegetableLegumesPercent,
    packaging: packagingFor(family, size),
    origin: flavour.origin ?? family.origin,
    shelfLifeDays: family.shelfLifeDays,
    expiryKind: family.expiryKind,
  };
}

function productName(family: Family, flavour: Flavour): string {
  const parts = family.flavourNameFirst ? [flavour.name, family.name] : [family.name, flavour.name];
  return parts.filter((part) => part !== '').join(' ');
}

/** Flavour ingredients go right after the family's first (main) ingredient, or lead the list. */
function ingredientsOf(family: Family, flavour: Flavour): string[] {
  if (flavour.ingredientsOverride) return [...flavour.ingredientsOverride];
  const base = family.ingredients.filter((name) => !(flavour.without ?? []).includes(name));
  const added = flavour.ingredients ?? [];
  if (family.flavourIngredientsFirst) return [...new Set([...added, ...base])];
  const [main, ...rest] = base;
  const merged = [...(main === undefined ? [] : [main]), ...added, ...rest];
  return [...new Set(merged)];
}

function allergensOf(ingredients: readonly string[]): Allergen[] {
  const found = new Set(ingredients.flatMap((name) => ingredientFacts(name).allergens));
  return [...found];
}

function labelsOf(
  family: Family,
  flavour: Flavour,
  ingredients: readonly string[],
  allergens: readonly Allergen[],
  traces: readonly Allergen[],
): Label[] {
  const diets = ingredients.map((name) => ingredientFacts(name).diet);
  const allowed: Record<Label, boolean> = {
    vegan: diets.every((diet) => diet === 'vegan'),
    vegetarian: diets.every((diet) => diet !== 'animal'),
    // a gluten-free claim (Regulation (EU) No 828/2014, ≤ 20 mg/kg) rules out gluten traces too
    gluten_free: !allergens.includes('gluten') && !traces.includes('gluten'),
    lactose_free: true,
    organic: true,
  };
  const wanted = [...family.labels, ...(flavour.labels ?? [])].filter(
    (label) => !(flavour.dropLabels ?? []).includes(label),
  );
  return [...new Set(wanted)].filter((label) => allowed[label]);
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

function nutritionOf(base: Macros, delta: Partial<Macros> = {}): Nutrition {
  const value = (key: keyof Macros, decimals = 1) =>
    Math.max(0, round(base[key] + (delta[key] ?? 0), decimals));
  const macros: Macros = {
    fat: value('fat'),
    saturatedFat: value('saturatedFat'),
    carbohydrates: value('carbohydrates'),
    sugars: value('sugars'),
    fiber: value('fiber'),
    protein: value('protein'),
    salt: value('salt', 2),
  };
  return { energyKcal: energyKcalOf(macros), ...macros };
}

/** EU Regulation 1169/2011 Annex XIV conversion factors. */
export function energyKcalOf(m: Pick<Macros, 'carbohydrates' | 'protein' | 'fat' | 'fiber'>): number {
  return Math.round(4 * m.carbohydrates + 4 * m.protein + 9 * m.fat + 2 * m.fiber);
}

function formatQuantity(size: number, unit: 'g' | 'ml'): string {
  if (size >= 1000) return `${size / 1000} ${unit === 'g' ? 'kg' : 'l'}`;
  return `${size} ${unit}`;
}

function packagingFor(family: Family, size: number): Packaging[] {
  const large = family.largePackaging;
  if (large && size >= large.fromSize) return large.packaging.map((p) => ({ ...p }));
  return family.packaging.map((p) => ({ ...p }));
}

/** GS1 mod-10 check digit over the digits before it (weights 3,1,3,... from the right). */
export function gs1CheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const digit = Number(digits[digits.length - 1 - i]);
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

export function demoGtin14(companyPrefix: string, itemReference: number): string {
  const body = companyPrefix + String(itemReference).padStart(12 - companyPrefix.length, '0');
  if (body.length !== 12)
    throw new Error(`item reference ${itemReference} does not fit prefix ${companyPrefix}`);
  return `0${body}${gs1CheckDigit(body)}`;
}

/** The Nutri-Score input for a demo product (sweeteners read from its ingredients). */
export function nutriScoreInputOf(product: DemoProduct): NutriScoreInput {
  const n = product.nutrition;
  return {
    category: product.nutriScoreCategory,
    energyKcal: n.energyKcal,
    sugars: n.sugars,
    saturatedFat: n.saturatedFat,
    fat: n.fat,
    salt: n.salt,
    fiber: n.fiber,
    protein: n.protein,
    fruitVegetableLegumesPercent: product.fruitVegetableLegumesPercent,
    nonNutritiveSweeteners: product.ingredients.some((name) => NON_NUTRITIVE_SWEETENERS.has(name)),
  };
}
