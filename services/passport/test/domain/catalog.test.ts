import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEMO_BRANDS,
  demoCatalog,
  demoGtin14,
  gs1CheckDigit,
  nutriScoreInputOf,
  type DemoProduct,
} from '../../src/db/seed/catalog';
import { nutriScore } from '../../src/domain/nutri-score';

const catalog = demoCatalog();

const EU_14 = [
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
];

/**
 * Independent keyword check of ingredient → allergen (EU Regulation 1169/2011 Annex II),
 * deliberately not using the seed's own ingredient table.
 */
const ALLERGEN_KEYWORDS: Record<string, RegExp> = {
  gluten: /wheat|rye|barley|spelt|oat|semolina/,
  milk: /milk|cream|(?<!cocoa )butter|cheese|yoghurt|whey/,
  eggs: /\begg/,
  fish: /cod|salmon|herring|anchovy/,
  crustaceans: /prawn|shrimp|crab|lobster/,
  molluscs: /mussel|squid|clam|oyster/,
  nuts: /almond|hazelnut|walnut|cashew|pistachio/,
  peanuts: /peanut/,
  soybeans: /soy/,
  sesame: /sesame/,
  mustard: /mustard/,
  celery: /celery/,
  sulphites: /sulphur|sulphite|wine|sherry/,
  lupin: /lupin/,
};
const MEAT_OR_FISH = /beef|bacon|pork|chicken|ham\b|cod|salmon|herring|anchovy|prawn|mussel|squid|gelatine/;
const ANIMAL_PRODUCT = /milk|cream|(?<!cocoa )butter|cheese|yoghurt|whey|\begg|honey/;

/** GS1 mod-10, written out again so the test does not trust the seed's implementation. */
function validGs1(gtin: string): boolean {
  const digits = [...gtin].map(Number);
  const check = digits.pop();
  const sum = digits.reverse().reduce((total, digit, i) => total + digit * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === check;
}

/** Demo Brand rows of docs/development.md: | name | `id` | `prefix` | ... */
function brandsFromDocs(): Array<{ name: string; id: string; prefix: string }> {
  const doc = readFileSync(new URL('../../../../docs/development.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| ([^|]+?) \| `([0-9a-f-]{36})` \| `(\d+)` \|/gm)];
  return rows.map(([, name, id, prefix]) => ({ name: name!, id: id!, prefix: prefix! }));
}

function eachProduct(check: (product: DemoProduct) => void): void {
  for (const product of catalog) {
    try {
      check(product);
    } catch (error) {
      throw new Error(`${product.gtin} ${product.name} (${product.quantity}): ${(error as Error).message}`);
    }
  }
}

describe('demo Brands', () => {
  it('match the Demo data table of docs/development.md', () => {
    const documented = brandsFromDocs();
    expect(documented).toHaveLength(3);
    const seeded = Object.values(DEMO_BRANDS).map((b) => ({ name: b.name, id: b.id, prefix: b.prefixes[0] }));
    expect(seeded).toEqual(documented);
  });

  it('each own products', () => {
    for (const brand of Object.values(DEMO_BRANDS)) {
      const owned = catalog.filter((p) => p.brandId === brand.id);
      expect(owned.length).toBeGreaterThanOrEqual(50);
      expect(owned.every((p) => p.brandName === brand.name)).toBe(true);
    }
  });
});

describe('catalog size and shape', () => {
  it('has at least 210 products over at least 6 categories, none of them thin', () => {
    expect(catalog.length).toBeGreaterThanOrEqual(210);
    const perCategory = new Map<string, number>();
    for (const p of catalog) perCategory.set(p.category, (perCategory.get(p.category) ?? 0) + 1);
    expect(perCategory.size).toBeGreaterThanOrEqual(6);
    for (const count of perCategory.values()) expect(count).toBeGreaterThanOrEqual(15);
  });

  it('is deterministic', () => {
    expect(demoCatalog()).toEqual(catalog);
  });

  it('gives every product a distinct name and quantity within its Brand', () => {
    const keys = catalog.map((p) => `${p.brandId}|${p.name}|${p.quantity}`);
    expect(new Set(keys).size).toBe(catalog.length);
  });
});

describe('GTINs', () => {
  it('are unique', () => {
    expect(new Set(catalog.map((p) => p.gtin)).size).toBe(catalog.length);
  });

  it('are GTIN-13 stored as 14 digits with a leading 0 and a valid check digit', () => {
    eachProduct((p) => {
      expect(p.gtin).toMatch(/^0\d{13}$/);
      expect(validGs1(p.gtin)).toBe(true);
    });
  });

  it("start with the owning Brand's GS1 company prefix", () => {
    const prefixOf = new Map<string, string>(Object.values(DEMO_BRANDS).map((b) => [b.id, b.prefixes[0]]));
    eachProduct((p) => expect(p.gtin.slice(1).startsWith(prefixOf.get(p.brandId)!)).toBe(true));
  });

  it('check digit agrees with the GS1 General Specifications example (GTIN-13 4006381333931)', () => {
    expect(gs1CheckDigit('400638133393')).toBe(1);
    expect(demoGtin14('4006381', 33393)).toBe('04006381333931');
  });
});

describe('ingredients, allergens, traces and labels agree', () => {
  it('allergens and traces are EU-14 codes, without duplicates or overlap', () => {
    eachProduct((p) => {
      for (const code of [...p.allergens, ...p.traces]) expect(EU_14).toContain(code);
      expect(new Set(p.allergens).size).toBe(p.allergens.length);
      expect(new Set(p.traces).size).toBe(p.traces.length);
      expect(p.traces.filter((t) => p.allergens.includes(t))).toEqual([]);
    });
  });

  it('an ingredient that names an allergen makes it declared, and every declared allergen has one', () => {
    eachProduct((p) => {
      for (const [allergen, keyword] of Object.entries(ALLERGEN_KEYWORDS)) {
        const named = p.ingredients.some((ingredient) => keyword.test(ingredient));
        expect({ allergen, declared: p.allergens.includes(allergen as never) }).toEqual({
          allergen,
          declared: named,
        });
      }
    });
  });

  it('vegan products have no animal ingredients or animal allergens', () => {
    eachProduct((p) => {
      if (!p.labels.includes('vegan')) return;
      expect(p.ingredients.filter((i) => MEAT_OR_FISH.test(i) || ANIMAL_PRODUCT.test(i))).toEqual([]);
      expect(
        p.allergens.filter((a) => ['milk', 'eggs', 'fish', 'crustaceans', 'molluscs'].includes(a)),
      ).toEqual([]);
    });
  });

  it('vegetarian products have no meat or fish', () => {
    eachProduct((p) => {
      if (!p.labels.includes('vegetarian')) return;
      expect(p.ingredients.filter((i) => MEAT_OR_FISH.test(i))).toEqual([]);
      expect(p.allergens.filter((a) => ['fish', 'crustaceans', 'molluscs'].includes(a))).toEqual([]);
    });
  });

  it('gluten-free products declare no gluten, not even as traces', () => {
    eachProduct((p) => {
      if (!p.labels.includes('gluten_free')) return;
      expect(p.allergens).not.toContain('gluten');
      expect(p.traces).not.toContain('gluten');
    });
  });

  it('uses only known labels, and every diet label occurs in the catalog', () => {
    const known = ['vegan', 'vegetarian', 'organic', 'gluten_free', 'lactose_free'];
    const used = new Set(catalog.flatMap((p) => p.labels));
    for (const label of used) expect(known).toContain(label);
    for (const label of known) expect(used.has(label as never)).toBe(true);
  });

  it('covers every EU-14 allergen except lupin and celery as ingredients, so Verdicts have work to do', () => {
    const declared = new Set(catalog.flatMap((p) => p.allergens));
    for (const code of EU_14.filter((c) => c !== 'lupin' && c !== 'celery'))
      expect(declared.has(code as never)).toBe(true);
  });
});

describe('nutrition is physically plausible (per 100 g / 100 ml)', () => {
  it('values are finite and non-negative, parts do not exceed wholes', () => {
    eachProduct(({ nutrition: n }) => {
      for (const value of Object.values(n)) {
        expect(Number.isFinite(value)).toBe(true);
        expect(value).toBeGreaterThanOrEqual(0);
      }
      expect(n.saturatedFat).toBeLessThanOrEqual(n.fat);
      expect(n.sugars).toBeLessThanOrEqual(n.carbohydrates);
      expect(n.fat + n.carbohydrates + n.protein + n.fiber + n.salt).toBeLessThanOrEqual(100);
    });
  });

  it('energy is within 15 % of 4 × carbohydrates + 4 × protein + 9 × fat', () => {
    eachProduct(({ nutrition: n }) => {
      const expected = 4 * n.carbohydrates + 4 * n.protein + 9 * n.fat;
      if (expected < 5) expect(Math.abs(n.energyKcal - expected)).toBeLessThanOrEqual(5);
      else expect(Math.abs(n.energyKcal - expected) / expected).toBeLessThanOrEqual(0.15);
    });
  });

  it('fruit/vegetable/legume share is a percentage', () => {
    eachProduct((p) => {
      expect(p.fruitVegetableLegumesPercent).toBeGreaterThanOrEqual(0);
      expect(p.fruitVegetableLegumesPercent).toBeLessThanOrEqual(100);
    });
  });
});

describe('packaging, origin, quantity and shelf life', () => {
  it('every product has packaging parts, an origin and a quantity in metric units', () => {
    eachProduct((p) => {
      expect(p.packaging.length).toBeGreaterThan(0);
      for (const part of p.packaging) {
        expect(part.material).not.toBe('');
        expect(typeof part.recyclable).toBe('boolean');
      }
      expect(p.origin).not.toBe('');
      expect(p.quantity).toMatch(/^\d+(\.\d+)? (g|kg|ml|l)$/);
    });
  });

  it('beverages are sold by volume', () => {
    eachProduct((p) => {
      if (p.category === 'beverages') expect(p.quantity).toMatch(/ (ml|l)$/);
    });
  });

  it('use-by dates are for perishables (≤ 60 days); shelf lives are whole positive days', () => {
    eachProduct((p) => {
      expect(Number.isInteger(p.shelfLifeDays)).toBe(true);
      expect(p.shelfLifeDays).toBeGreaterThan(0);
      if (p.expiryKind === 'use_by') expect(p.shelfLifeDays).toBeLessThanOrEqual(60);
    });
  });
});

describe('Nutri-Score over the catalog', () => {
  const graded = catalog.map((p) => ({ product: p, result: nutriScore(nutriScoreInputOf(p)) }));

  it('grades every product and spreads over at least four grades', () => {
    expect(new Set(graded.map((g) => g.result.grade)).size).toBeGreaterThanOrEqual(4);
  });

  it('plain mineral water is A; the sweetened lemon water pays for its sucralose', () => {
    for (const { product, result } of graded) {
      if (product.nutriScoreCategory === 'water') expect(result.grade).toBe('A');
      if (product.ingredients.includes('sucralose')) expect(result.negative.sweeteners).toBe(4);
    }
  });

  it('natural skyr is A and salty liquorice is E', () => {
    const gradeOf = (name: string) => graded.find((g) => g.product.name === name)?.result.grade;
    expect(gradeOf('Natural Skyr')).toBe('A');
    expect(gradeOf('Liquorice Salty Classic')).toBe('E');
  });
});
