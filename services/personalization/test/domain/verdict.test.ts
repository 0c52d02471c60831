import type { HealthProfile, Passport } from '@packytrace/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INITIAL_RULE_SET, type RuleSet } from '../../src/domain/rule-set';
import { verdictFor } from '../../src/domain/verdict';

const product = (overrides: Partial<Passport> = {}): Passport => ({
  gtin: '05701234100014',
  name: 'Test product',
  brand: { id: null, name: 'Test' },
  ingredients: [],
  allergens: [],
  traces: [],
  labels: [],
  nutrition: {
    energyKcal: 100,
    fat: 1,
    saturatedFat: 0.5,
    carbohydrates: 10,
    sugars: 5,
    fiber: 1,
    protein: 3,
    salt: 0.2,
  },
  ...overrides,
});
const profile = (overrides: Partial<HealthProfile> = {}): HealthProfile =>
  ({ allergens: [], diets: [], limits: {}, ...overrides }) as HealthProfile;
const codes = (v: { reasons: { code: string }[] }) => v.reasons.map((r) => r.code);

describe('verdictFor', () => {
  const table: {
    name: string;
    profile: HealthProfile;
    product: Passport;
    rating: string;
    reasons: string[];
  }[] = [
    {
      name: 'nothing to object → suitable',
      profile: profile({ allergens: ['peanuts'] as never }),
      product: product(),
      rating: 'suitable',
      reasons: [],
    },
    {
      name: 'allergen present → unsuitable',
      profile: profile({ allergens: ['milk'] as never }),
      product: product({ allergens: ['milk'] }),
      rating: 'unsuitable',
      reasons: ['allergen_present'],
    },
    {
      name: 'allergen as traces → caution',
      profile: profile({ allergens: ['nuts'] as never }),
      product: product({ traces: ['nuts'] }),
      rating: 'caution',
      reasons: ['allergen_traces'],
    },
    {
      name: 'vegan and milk → unsuitable diet conflict',
      profile: profile({ diets: ['vegan'] as never }),
      product: product({ allergens: ['milk'] }),
      rating: 'unsuitable',
      reasons: ['diet_conflict'],
    },
    {
      name: 'vegan, no label, no animal allergen → caution',
      profile: profile({ diets: ['vegan'] as never }),
      product: product(),
      rating: 'caution',
      reasons: ['diet_conflict'],
    },
    {
      name: 'vegan with a vegan label → suitable',
      profile: profile({ diets: ['vegan'] as never }),
      product: product({ labels: ['vegan'] }),
      rating: 'suitable',
      reasons: [],
    },
    {
      name: 'vegetarian and fish → unsuitable',
      profile: profile({ diets: ['vegetarian'] as never }),
      product: product({ allergens: ['fish'] }),
      rating: 'unsuitable',
      reasons: ['diet_conflict'],
    },
    {
      name: 'vegetarian and a vegan label → suitable',
      profile: profile({ diets: ['vegetarian'] as never }),
      product: product({ labels: ['vegan'] }),
      rating: 'suitable',
      reasons: [],
    },
    {
      name: 'gluten-free and gluten → unsuitable',
      profile: profile({ diets: ['gluten_free'] as never }),
      product: product({ allergens: ['gluten'] }),
      rating: 'unsuitable',
      reasons: ['diet_conflict'],
    },
    {
      name: 'gluten-free and gluten traces → caution',
      profile: profile({ diets: ['gluten_free'] as never }),
      product: product({ traces: ['gluten'] }),
      rating: 'caution',
      reasons: ['diet_conflict'],
    },
    {
      name: 'gluten-free and no gluten declared → suitable',
      profile: profile({ diets: ['gluten_free'] as never }),
      product: product(),
      rating: 'suitable',
      reasons: [],
    },
    {
      name: 'lactose-free and milk → unsuitable',
      profile: profile({ diets: ['lactose_free'] as never }),
      product: product({ allergens: ['milk'] }),
      rating: 'unsuitable',
      reasons: ['diet_conflict'],
    },
    {
      name: 'lactose-free milk with the label → suitable',
      profile: profile({ diets: ['lactose_free'] as never }),
      product: product({ allergens: ['milk'], labels: ['lactose_free'] }),
      rating: 'suitable',
      reasons: [],
    },
    {
      name: 'sugars over the limit → caution',
      profile: profile({ limits: { sugars: 4 } }),
      product: product(),
      rating: 'caution',
      reasons: ['nutrient_over_limit'],
    },
    {
      name: 'sugars exactly at the limit → suitable',
      profile: profile({ limits: { sugars: 5 } }),
      product: product(),
      rating: 'suitable',
      reasons: [],
    },
    {
      name: 'the worst reason wins and every reason is listed',
      profile: profile({ allergens: ['eggs', 'nuts'] as never, limits: { salt: 0.1 } }),
      product: product({ allergens: ['eggs'], traces: ['nuts'] }),
      rating: 'unsuitable',
      reasons: ['allergen_present', 'allergen_traces', 'nutrient_over_limit'],
    },
  ];

  for (const row of table) {
    it(row.name, () => {
      const verdict = verdictFor(row.profile, row.product, INITIAL_RULE_SET);
      expect(verdict.rating).toBe(row.rating);
      expect(codes(verdict)).toEqual(row.reasons);
      expect(verdict.ruleSetVersion).toBe('2026-11-01.1');
    });
  }

  it('names the facts that triggered each reason', () => {
    const verdict = verdictFor(
      profile({ allergens: ['milk'] as never, limits: { salt: 0.1 } }),
      product({ allergens: ['milk'] }),
      INITIAL_RULE_SET,
    );
    expect(verdict.reasons[0]!.facts).toEqual({ allergen: 'milk', declaredIn: 'allergens' });
    expect(verdict.reasons[1]!.facts).toEqual({ nutrient: 'salt', value: 0.2, limit: 0.1, per: '100g' });
  });

  it('follows the rule set it is given, and names that version', () => {
    const stricter: RuleSet = {
      version: 'test-strict',
      rules: {
        ...INITIAL_RULE_SET.rules,
        allergens: { presentRating: 'unsuitable', tracesRating: 'unsuitable' },
      },
    };
    const verdict = verdictFor(
      profile({ allergens: ['nuts'] as never }),
      product({ traces: ['nuts'] }),
      stricter,
    );
    expect(verdict).toMatchObject({ rating: 'unsuitable', ruleSetVersion: 'test-strict' });
  });

  it('is unsuitable exactly when a profile allergen is among the product allergens (property)', () => {
    const allergens = ['gluten', 'milk', 'eggs', 'nuts', 'peanuts', 'soybeans', 'fish'];
    fc.assert(
      fc.property(
        fc.subarray(allergens),
        fc.subarray(allergens),
        fc.subarray(allergens),
        (mine, declared, traces) => {
          const verdict = verdictFor(
            profile({ allergens: mine as never }),
            product({ allergens: declared, traces }),
            INITIAL_RULE_SET,
          );
          const present = mine.some((a) => declared.includes(a));
          const onlyTraces = !present && mine.some((a) => traces.includes(a));
          expect(verdict.rating).toBe(present ? 'unsuitable' : onlyTraces ? 'caution' : 'suitable');
        },
      ),
    );
  });
});
