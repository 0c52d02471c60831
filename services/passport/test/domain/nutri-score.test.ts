import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  THRESHOLDS_2023,
  gradeFor,
  nutriScore,
  pointsAbove,
  pointsAtOrAbove,
  type NutriScoreCategory,
  type NutriScoreInput,
} from '../../src/domain/nutri-score';

/** A product with nothing in it; tests override what they need. */
function product(overrides: Partial<NutriScoreInput>): NutriScoreInput {
  return {
    category: 'general',
    energyKj: 0,
    energyKcal: 0,
    sugars: 0,
    saturatedFat: 0,
    salt: 0,
    fiber: 0,
    protein: 0,
    fruitVegetableLegumesPercent: 0,
    ...overrides,
  };
}

/**
 * Worked examples from Open Food Facts' test suite for the 2023 algorithm:
 * inputs from openfoodfacts-server tests/unit/nutriscore.t, expected points and grades from
 * tests/unit/expected_test_results/nutriscore/<name>.json (the "2023" block).
 * Open Food Facts gives sodium; salt = sodium × 2.5 as in those files.
 */
describe('nutriScore reproduces published 2023 results', () => {
  it('breakfast cereals (OFF "breakfast-cereals"): 18 negative, protein not counted, 14 → D', () => {
    const result = nutriScore(
      product({
        energyKj: 2450,
        energyKcal: 586,
        fat: 100,
        saturatedFat: 1.03,
        sugars: 31,
        salt: 0.5525,
        fiber: 6.9,
        protein: 10.3,
      }),
    );
    expect(result.negative).toEqual({ energy: 7, sugars: 8, saturatedFat: 1, salt: 2 });
    expect(result.proteinCounted).toBe(false);
    expect(result.positive).toEqual({ protein: 0, fiber: 4, fruitVegetableLegumes: 0 });
    expect(result.points).toBe(14);
    expect(result.grade).toBe('D');
  });

  it('beef steak (OFF "en-red-meat-category-no-ingredients"): protein capped at 2, 7 → C', () => {
    const result = nutriScore(
      product({
        category: 'red_meat',
        energyKj: 82,
        energyKcal: 20,
        fat: 20,
        saturatedFat: 10,
        protein: 50,
      }),
    );
    expect(result.negative).toEqual({ energy: 0, sugars: 0, saturatedFat: 9, salt: 0 });
    expect(result.positive.protein).toBe(2);
    expect(result.points).toBe(7);
    expect(result.grade).toBe('C');
  });

  it('olive oil (OFF "en-olive-oil"): 629 kJ from saturates, ratio 18.7 %, 2 → B', () => {
    const result = nutriScore(
      product({
        category: 'fats_oils_nuts_seeds',
        energyKj: 3367,
        energyKcal: 819,
        fat: 91,
        saturatedFat: 17,
        fruitVegetableLegumesPercent: 100,
      }),
    );
    expect(result.negative).toEqual({ energy: 5, sugars: 0, saturatedFat: 2, salt: 0 });
    expect(result.proteinCounted).toBe(false); // negative 7 is not < 7
    expect(result.positive.fruitVegetableLegumes).toBe(5);
    expect(result.points).toBe(2);
    expect(result.grade).toBe('B');
  });

  it('rapeseed oil (OFF "fr-rapeseed-oil"): 270.1 kJ from saturates, ratio 7.9 %, 2 → B', () => {
    const result = nutriScore(
      product({
        category: 'fats_oils_nuts_seeds',
        energyKj: 3400,
        energyKcal: 827,
        fat: 92,
        saturatedFat: 7.3,
      }),
    );
    expect(result.negative).toEqual({ energy: 2, sugars: 0, saturatedFat: 0, salt: 0 });
    expect(result.proteinCounted).toBe(true); // negative 2 < 7
    expect(result.points).toBe(2);
    expect(result.grade).toBe('B');
  });

  it('semi-skimmed milk as a beverage (OFF "en-milk"): −1 → B', () => {
    const result = nutriScore(
      product({
        category: 'beverage',
        energyKj: 195,
        energyKcal: 47,
        fat: 1.6,
        saturatedFat: 1,
        sugars: 4.8,
        salt: 0.1,
        protein: 3.3,
      }),
    );
    expect(result.negative).toEqual({ energy: 3, sugars: 3, saturatedFat: 0, salt: 0, sweeteners: 0 });
    expect(result.positive).toEqual({ protein: 7, fiber: 0, fruitVegetableLegumes: 0 });
    expect(result.points).toBe(-1);
    expect(result.grade).toBe('B');
  });

  it('soy drink (OFF "fr-plant-beverages-soy-milk"): −4 → B', () => {
    const result = nutriScore(
      product({
        category: 'beverage',
        energyKj: 178,
        energyKcal: 43,
        fat: 2.6,
        saturatedFat: 0.6,
        sugars: 0.5,
        salt: 0.03,
        fiber: 0.5,
        protein: 3.9,
        fruitVegetableLegumesPercent: 8,
      }),
    );
    expect(result.negative).toEqual({ energy: 3, sugars: 0, saturatedFat: 0, salt: 0, sweeteners: 0 });
    expect(result.positive).toEqual({ protein: 7, fiber: 0, fruitVegetableLegumes: 0 });
    expect(result.points).toBe(-4);
    expect(result.grade).toBe('B');
  });

  it('iced tea with steviol glycosides (OFF "fr-ice-tea-with-sweetener"): 8 → D', () => {
    const result = nutriScore(
      product({
        category: 'beverage',
        energyKj: 82,
        energyKcal: 20,
        sugars: 4.5,
        salt: 0.025,
        fruitVegetableLegumesPercent: 0.1,
        nonNutritiveSweeteners: true,
      }),
    );
    expect(result.negative).toEqual({ energy: 1, sugars: 3, saturatedFat: 0, salt: 0, sweeteners: 4 });
    expect(result.points).toBe(8);
    expect(result.grade).toBe('D');
  });

  it('spring water (OFF "spring-water-no-nutrition") is always A', () => {
    expect(nutriScore(product({ category: 'water' })).grade).toBe('A');
  });

  it("cucumber (Open Food Facts data shown on yumiq.app, Trader Joe's large cucumber): −1 → A", () => {
    // Published breakdown: energy 279 kJ 0/10, sugars 14.2 g 4/15, saturated fat 0/10,
    // salt 0.04 g 0/20, proteins 0.42 g 0/7, fibre 0/5, fruit/veg/legumes 100 % 5/5.
    const result = nutriScore(
      product({
        energyKj: 279,
        energyKcal: 67,
        sugars: 14.2,
        salt: 0.04,
        protein: 0.42,
        fruitVegetableLegumesPercent: 100,
      }),
    );
    expect(result.negative).toEqual({ energy: 0, sugars: 4, saturatedFat: 0, salt: 0 });
    expect(result.positive).toEqual({ protein: 0, fiber: 0, fruitVegetableLegumes: 5 });
    expect(result.points).toBe(-1);
    expect(result.grade).toBe('A');
  });
});

describe('cheese keeps its protein points', () => {
  // No published 2023 cheese worked example was found in the reference corpora; this case applies
  // the Nutriscore.pm rule ("if the product is a cheese, always count the proteins points") to the
  // nutrients Open Food Facts lists for a Brie (energy 1452 kJ, saturates 22 g, sugars 1 g,
  // salt 1.2 g, proteins 17 g).
  const brie = {
    energyKj: 1452,
    energyKcal: 347,
    fat: 31,
    saturatedFat: 22,
    sugars: 1,
    salt: 1.2,
    protein: 17,
  } satisfies Partial<NutriScoreInput>;

  it('a Brie scores 19 − 6 = 13 → D as cheese', () => {
    const result = nutriScore(product({ ...brie, category: 'cheese' }));
    expect(result.negative).toEqual({ energy: 4, sugars: 0, saturatedFat: 10, salt: 5 });
    expect(result.positive.protein).toBe(6); // 17 is not > 17
    expect(result.points).toBe(13);
    expect(result.grade).toBe('D');
  });

  it('the same nutrients as a general food lose protein (negative ≥ 11) and score 19 → E', () => {
    const result = nutriScore(product({ ...brie, category: 'general' }));
    expect(result.proteinCounted).toBe(false);
    expect(result.points).toBe(19);
    expect(result.grade).toBe('E');
  });
});

describe('point tables at their boundaries', () => {
  const strictTables = {
    energy: THRESHOLDS_2023.energy,
    energyBeverages: THRESHOLDS_2023.energyBeverages,
    sugars: THRESHOLDS_2023.sugars,
    sugarsBeverages: THRESHOLDS_2023.sugarsBeverages,
    saturatedFat: THRESHOLDS_2023.saturatedFat,
    salt: THRESHOLDS_2023.salt,
    energyFromSaturates: THRESHOLDS_2023.energyFromSaturates,
    fiber: THRESHOLDS_2023.fiber,
    protein: THRESHOLDS_2023.protein,
    proteinBeverages: THRESHOLDS_2023.proteinBeverages,
  };

  it('tables have the 2023 maxima', () => {
    expect(THRESHOLDS_2023.energy).toHaveLength(10);
    expect(THRESHOLDS_2023.sugars).toHaveLength(15);
    expect(THRESHOLDS_2023.saturatedFat).toHaveLength(10);
    expect(THRESHOLDS_2023.salt).toHaveLength(20);
    expect(THRESHOLDS_2023.fiber).toHaveLength(5);
    expect(THRESHOLDS_2023.protein).toHaveLength(7);
    expect(THRESHOLDS_2023.energyBeverages).toHaveLength(10);
    expect(THRESHOLDS_2023.sugarsBeverages).toHaveLength(10);
    expect(THRESHOLDS_2023.proteinBeverages).toHaveLength(7);
  });

  for (const [name, table] of Object.entries(strictTables)) {
    it(`${name}: a value equal to threshold i earns i points, just above earns i + 1`, () => {
      table.forEach((threshold, i) => {
        expect(pointsAbove(threshold, table)).toBe(i);
        expect(pointsAbove(threshold + 0.001, table)).toBe(i + 1);
      });
    });
  }

  it('saturates ratio counts a value equal to a threshold (>=)', () => {
    expect(pointsAtOrAbove(9.9, THRESHOLDS_2023.saturatesRatio)).toBe(0);
    expect(pointsAtOrAbove(10, THRESHOLDS_2023.saturatesRatio)).toBe(1);
    expect(pointsAtOrAbove(64, THRESHOLDS_2023.saturatesRatio)).toBe(10);
  });

  it('general sugars: 3.4 g → 0, 3.5 g → 1, 51 g → 14, 51.1 g → 15', () => {
    const sugars = (value: number) => nutriScore(product({ sugars: value })).negative.sugars;
    expect([sugars(3.4), sugars(3.5), sugars(51), sugars(51.1)]).toEqual([0, 1, 14, 15]);
  });

  it('salt: 0.2 g → 0, 0.21 g → 1, 4 g → 19, 4.1 g → 20', () => {
    const salt = (value: number) => nutriScore(product({ salt: value })).negative.salt;
    expect([salt(0.2), salt(0.21), salt(4), salt(4.1)]).toEqual([0, 1, 19, 20]);
  });

  it('energy falls back to kcal × 4.184 when kJ is absent', () => {
    const result = nutriScore(product({ energyKj: undefined, energyKcal: 80 })); // 334.7 kJ
    expect(result.negative.energy).toBe(0);
    expect(nutriScore(product({ energyKj: undefined, energyKcal: 81 })).negative.energy).toBe(1); // 338.9 kJ
  });

  it('fruit/veg/legumes: foods 0/1/2/5, beverages 0/2/4/6 at 40/60/80 %', () => {
    const food = (pct: number) =>
      nutriScore(product({ fruitVegetableLegumesPercent: pct })).positive.fruitVegetableLegumes;
    const drink = (pct: number) =>
      nutriScore(product({ category: 'beverage', fruitVegetableLegumesPercent: pct })).positive
        .fruitVegetableLegumes;
    expect([40, 41, 61, 81].map(food)).toEqual([0, 1, 2, 5]);
    expect([40, 41, 61, 81].map(drink)).toEqual([0, 2, 4, 6]);
  });

  it('fats: protein counts below 7 negative points and not from 7', () => {
    // 6 g saturates of 100 g fat: 222 kJ → 1 point, ratio 6 % → 0; salt 1.2 g → 5 points: total 6
    const base = { category: 'fats_oils_nuts_seeds' as const, fat: 100, saturatedFat: 6, protein: 20 };
    expect(nutriScore(product({ ...base, salt: 1.2 })).proteinCounted).toBe(true);
    expect(nutriScore(product({ ...base, salt: 1.3 })).proteinCounted).toBe(false);
  });

  it('general foods: protein counts below 11 negative points and not from 11', () => {
    expect(nutriScore(product({ salt: 2.1, protein: 20 })).proteinCounted).toBe(true); // 10 points
    expect(nutriScore(product({ salt: 2.3, protein: 20 })).proteinCounted).toBe(false); // 11 points
  });
});

describe('grade boundaries', () => {
  const cases: Array<[NutriScoreCategory, number, string]> = [
    ['general', 0, 'A'],
    ['general', 1, 'B'],
    ['general', 2, 'B'],
    ['general', 3, 'C'],
    ['general', 10, 'C'],
    ['general', 11, 'D'],
    ['general', 18, 'D'],
    ['general', 19, 'E'],
    ['cheese', 0, 'A'],
    ['red_meat', 19, 'E'],
    ['fats_oils_nuts_seeds', -6, 'A'],
    ['fats_oils_nuts_seeds', -5, 'B'],
    ['fats_oils_nuts_seeds', 2, 'B'],
    ['fats_oils_nuts_seeds', 3, 'C'],
    ['fats_oils_nuts_seeds', 10, 'C'],
    ['fats_oils_nuts_seeds', 11, 'D'],
    ['fats_oils_nuts_seeds', 18, 'D'],
    ['fats_oils_nuts_seeds', 19, 'E'],
    ['beverage', -10, 'B'],
    ['beverage', 2, 'B'],
    ['beverage', 3, 'C'],
    ['beverage', 6, 'C'],
    ['beverage', 7, 'D'],
    ['beverage', 9, 'D'],
    ['beverage', 10, 'E'],
    ['water', 40, 'A'],
  ];
  for (const [category, points, grade] of cases) {
    it(`${category} with ${points} points is ${grade}`, () => {
      expect(gradeFor(category, points)).toBe(grade);
    });
  }

  it('a worse score never gives a better grade', () => {
    const categories: NutriScoreCategory[] = [
      'general',
      'cheese',
      'red_meat',
      'fats_oils_nuts_seeds',
      'beverage',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...categories), fc.integer({ min: -20, max: 60 }), (category, points) => {
        expect(gradeFor(category, points + 1) >= gradeFor(category, points)).toBe(true);
      }),
    );
  });

  it('points equal negative total minus positive total', () => {
    fc.assert(
      fc.property(
        fc.record({
          category: fc.constantFrom<NutriScoreCategory>(
            'general',
            'cheese',
            'red_meat',
            'fats_oils_nuts_seeds',
            'beverage',
          ),
          energyKj: fc.double({ min: 0, max: 4000, noNaN: true }),
          sugars: fc.double({ min: 0, max: 100, noNaN: true }),
          fat: fc.double({ min: 0, max: 100, noNaN: true }),
          saturatedFat: fc.double({ min: 0, max: 60, noNaN: true }),
          salt: fc.double({ min: 0, max: 10, noNaN: true }),
          fiber: fc.double({ min: 0, max: 30, noNaN: true }),
          protein: fc.double({ min: 0, max: 60, noNaN: true }),
          fruitVegetableLegumesPercent: fc.double({ min: 0, max: 100, noNaN: true }),
          nonNutritiveSweeteners: fc.boolean(),
        }),
        (fields) => {
          const r = nutriScore(product(fields));
          const negative =
            r.negative.energy +
            r.negative.sugars +
            r.negative.saturatedFat +
            r.negative.salt +
            (r.negative.sweeteners ?? 0);
          const positive = r.positive.protein + r.positive.fiber + r.positive.fruitVegetableLegumes;
          expect(r.points).toBe(negative - positive);
          expect(r.version).toBe('2023');
        },
      ),
    );
  });
});
