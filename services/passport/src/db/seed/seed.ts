import type { BrandRepository } from '../brands';
import type { ProductRepository } from '../products';
import { scoreOf, type Product, type ProductDocument } from '../../domain/product';
import { DEMO_BRANDS, demoCatalog, type DemoProduct } from './catalog';

function productOf(demo: DemoProduct): Product {
  const base: Omit<ProductDocument, 'nutriScore'> = {
    quantity: demo.quantity,
    ingredients: demo.ingredients,
    allergens: demo.allergens,
    traces: demo.traces,
    labels: demo.labels,
    nutrition: demo.nutrition,
    packaging: demo.packaging,
    origin: demo.origin,
    nutriScoreCategory: demo.nutriScoreCategory,
    fruitVegetableLegumesPercent: demo.fruitVegetableLegumesPercent,
  };
  return {
    gtin: demo.gtin,
    brandId: demo.brandId,
    brandName: demo.brandName,
    name: demo.name,
    category: demo.category,
    shelfLifeDays: demo.shelfLifeDays,
    expiryKind: demo.expiryKind,
    document: { ...base, nutriScore: scoreOf(base) },
  };
}

/**
 * Seeds the demo catalog and the demo Brands' prefixes (so Brand scope works before Identity's
 * BrandRegistered events arrive). Idempotent: existing rows, and anything a Brand published, stay.
 */
export async function seedDemoData(products: ProductRepository, brands: BrandRepository): Promise<number> {
  for (const brand of Object.values(DEMO_BRANDS)) {
    await brands.seed({ brandId: brand.id, name: brand.name, gs1CompanyPrefixes: [...brand.prefixes] });
  }
  return products.seed(demoCatalog().map(productOf));
}
