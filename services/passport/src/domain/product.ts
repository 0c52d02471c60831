import type {
  BrandProductInput,
  BrandProductSummary,
  Passport,
  PassportSummary,
  PublishSettings,
  Recall,
} from '@packytrace/contracts';
import { nutriScore, type NutriScoreCategory } from './nutri-score';

/** The stored passport facts besides the indexed columns (products.document). */
export interface ProductDocument {
  quantity?: string;
  ingredients: string[];
  allergens: string[];
  traces: string[];
  labels: string[];
  nutrition: Passport['nutrition'];
  packaging?: { material: string; recyclable: boolean }[];
  origin?: string;
  nutriScoreCategory: NutriScoreCategory;
  fruitVegetableLegumesPercent: number;
  nutriScore: { grade: 'A' | 'B' | 'C' | 'D' | 'E'; points: number; version: string } | null;
}

/** A catalog entry as the service stores it. */
export interface Product {
  gtin: string;
  brandId: string | null;
  brandName: string;
  name: string;
  category?: string;
  shelfLifeDays: number;
  expiryKind: 'use_by' | 'best_before';
  document: ProductDocument;
}

/** Non-nutritive sweeteners (Nutri-Score 2023 beverages: 4 negative points when present). */
const SWEETENER = /sucralose|aspartame|acesulfame|saccharin|cyclamate|steviol|stevia/i;

/** Nutri-Score 2023 from the product's nutrition and category (domain/nutri-score.ts). */
export function scoreOf(doc: Omit<ProductDocument, 'nutriScore'>): ProductDocument['nutriScore'] {
  const n = doc.nutrition;
  const result = nutriScore({
    category: doc.nutriScoreCategory,
    energyKcal: n.energyKcal,
    sugars: n.sugars,
    saturatedFat: n.saturatedFat,
    fat: n.fat,
    salt: n.salt,
    fiber: n.fiber,
    protein: n.protein,
    fruitVegetableLegumesPercent: doc.fruitVegetableLegumesPercent,
    nonNutritiveSweeteners: doc.ingredients.some((i) => SWEETENER.test(i)),
  });
  return { grade: result.grade, points: result.points, version: result.version };
}

/** What a Brand publishes, as a stored product of that Brand. */
export function productFromBrandInput(
  gtin: string,
  brand: { brandId: string; name: string },
  input: BrandProductInput,
): Product {
  const base: Omit<ProductDocument, 'nutriScore'> = {
    quantity: input.quantity,
    ingredients: input.ingredients,
    allergens: input.allergens as string[],
    traces: input.traces as string[],
    labels: input.labels,
    nutrition: input.nutrition,
    packaging: input.packaging,
    origin: input.origin,
    nutriScoreCategory: (input.nutriScoreCategory ?? 'general') as NutriScoreCategory,
    fruitVegetableLegumesPercent: input.fruitVegetableLegumesPercent ?? 0,
  };
  return {
    gtin,
    brandId: brand.brandId,
    brandName: brand.name,
    name: input.name,
    category: input.category,
    shelfLifeDays: input.shelfLifeDays ?? 0,
    expiryKind: input.expiryKind ?? 'best_before',
    document: { ...base, nutriScore: scoreOf(base) },
  };
}

/** The passport shoppers see (docs/API.md "Shapes"), with the product's active recalls. */
export function passportOf(product: Product, recalls: Recall[] = []): Passport {
  const d = product.document;
  return {
    gtin: product.gtin,
    name: product.name,
    brand: { id: product.brandId, name: product.brandName },
    ...(product.category ? { category: product.category } : {}),
    ...(d.quantity ? { quantity: d.quantity } : {}),
    ingredients: d.ingredients,
    allergens: d.allergens,
    traces: d.traces,
    labels: d.labels,
    nutrition: d.nutrition,
    ...(d.packaging ? { packaging: d.packaging } : {}),
    ...(d.origin ? { origin: d.origin } : {}),
    nutriScore: d.nutriScore,
    recalls: recalls.map((r) => ({
      recallId: r.recallId,
      reason: r.reason,
      recalledAt: r.recalledAt,
      ...(r.batch ? { batch: r.batch } : {}),
    })),
  } as Passport;
}

export function summaryOf(product: Product): PassportSummary {
  return {
    gtin: product.gtin,
    name: product.name,
    brand: { id: product.brandId, name: product.brandName },
    ...(product.category ? { category: product.category } : {}),
    ...(product.document.quantity ? { quantity: product.document.quantity } : {}),
    labels: product.document.labels,
    // the contract's Static of a mapped Union is `never`; the grade is one of A-E
    nutriScore: product.document.nutriScore as PassportSummary['nutriScore'],
  };
}

/**
 * A Brand's product as its editor lists it: the summary plus the publish settings known for it
 * (shelf life and date marking always; the Nutri-Score inputs when the stored document has them).
 */
export function brandSummaryOf(product: Product): BrandProductSummary {
  const d: Partial<ProductDocument> = product.document;
  const publishSettings: PublishSettings = {
    // the contract's Static of a mapped Union is `never`; the category is one of its literals
    ...(d.nutriScoreCategory != null ? { nutriScoreCategory: d.nutriScoreCategory as never } : {}),
    ...(d.fruitVegetableLegumesPercent != null
      ? { fruitVegetableLegumesPercent: d.fruitVegetableLegumesPercent }
      : {}),
    shelfLifeDays: product.shelfLifeDays,
    expiryKind: product.expiryKind,
  };
  return { ...summaryOf(product), publishSettings };
}
