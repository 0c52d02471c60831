import type { Allergen, Diet } from '@packytrace/contracts';

export type Rating = 'suitable' | 'caution' | 'unsuitable';
export type LimitedNutrient = 'sugars' | 'salt' | 'saturatedFat' | 'fat' | 'energyKcal';

/** How a diet is checked against what a passport declares. */
export interface DietRule {
  /** Any of these labels proves the product fits the diet. */
  provenByLabels: string[];
  /** Any of these declared allergens proves it does not (→ `conflictRating`). */
  conflictingAllergens: Allergen[];
  /** Declared as traces ("may contain"): not proof, so a milder rating. */
  conflictingTraces: Allergen[];
  conflictRating: Rating;
  tracesRating: Rating;
  /** Neither proven nor refuted by the declaration. */
  unprovenRating: Rating;
}

/**
 * Verdict rules as data. A rule set is identified by its version and never edited: a change is a
 * new version (insert-only table `rule_sets`), so every verdict can be replayed with the rules it named.
 */
export interface VerdictRules {
  allergens: { presentRating: Rating; tracesRating: Rating };
  diets: Record<Diet, DietRule>;
  limits: { overLimitRating: Rating; nutrients: LimitedNutrient[]; per: '100g' };
}

export interface RuleSet {
  version: string;
  rules: VerdictRules;
}

const animalAllergens: Allergen[] = ['milk', 'eggs', 'fish', 'crustaceans', 'molluscs'];
const fleshAllergens: Allergen[] = ['fish', 'crustaceans', 'molluscs'];

/**
 * First rule set. Gluten and milk must be declared as allergens in the EU (Regulation (EU) No
 * 1169/2011, Art. 9 and Annex II), so their absence is evidence; meat, gelatine or honey are not
 * allergens, so only a vegan/vegetarian label proves those diets.
 */
export const INITIAL_RULE_SET: RuleSet = {
  version: '2026-11-01.1',
  rules: {
    allergens: { presentRating: 'unsuitable', tracesRating: 'caution' },
    diets: {
      vegan: {
        provenByLabels: ['vegan'],
        conflictingAllergens: animalAllergens,
        conflictingTraces: [],
        conflictRating: 'unsuitable',
        tracesRating: 'caution',
        unprovenRating: 'caution',
      },
      vegetarian: {
        provenByLabels: ['vegan', 'vegetarian'],
        conflictingAllergens: fleshAllergens,
        conflictingTraces: [],
        conflictRating: 'unsuitable',
        tracesRating: 'caution',
        unprovenRating: 'caution',
      },
      gluten_free: {
        provenByLabels: ['gluten_free'],
        conflictingAllergens: ['gluten'],
        conflictingTraces: ['gluten'],
        conflictRating: 'unsuitable',
        tracesRating: 'caution',
        unprovenRating: 'suitable',
      },
      lactose_free: {
        provenByLabels: ['lactose_free', 'vegan'],
        conflictingAllergens: ['milk'],
        conflictingTraces: ['milk'],
        conflictRating: 'unsuitable',
        tracesRating: 'caution',
        unprovenRating: 'suitable',
      },
    },
    limits: {
      overLimitRating: 'caution',
      nutrients: ['sugars', 'salt', 'saturatedFat', 'fat', 'energyKcal'],
      per: '100g',
    },
  },
};
