/**
 * Nutri-Score, 2023 algorithm.
 *
 * Sources:
 * - Scientific Committee of the Nutri-Score, "Update of the Nutri-Score algorithm" (2022 report,
 *   general foods) and "Update of the Nutri-Score algorithm for beverages" (2023 report);
 *   Santé publique France, "Nutri-Score: Questions & Answers" (update of the algorithm).
 * - Open Food Facts Product Opener, lib/ProductOpener/Nutriscore.pm, `%points_thresholds_2023`,
 *   `compute_nutriscore_score_2023` and `compute_nutriscore_grade_2023`: every threshold table
 *   and rule below was checked against that file.
 *
 * A value earns one point per threshold it is strictly greater than (`>`), except the
 * saturates/lipids ratio of the fats category, whose table uses `>=` (Nutriscore.pm:
 * "The saturated fat ratio table uses the greater or equal sign instead of greater").
 * Values are used as declared (no rounding since the 27/09/2022 Q&A update), except the
 * saturates ratio, which Open Food Facts rounds to one decimal.
 */

export type NutriScoreCategory =
  | 'general'
  | 'cheese'
  | 'fats_oils_nuts_seeds'
  /** general food whose protein points are capped at 2 (beef, veal, pork, lamb, game, ...) */
  | 'red_meat'
  | 'beverage'
  | 'water';

export type NutriScoreGrade = 'A' | 'B' | 'C' | 'D' | 'E';

/** Nutrient values per 100 g (foods) or 100 ml (beverages). */
export interface NutriScoreInput {
  category: NutriScoreCategory;
  /** Energy in kJ; computed from kcal (× 4.184) when absent. */
  energyKj?: number;
  energyKcal: number;
  sugars: number;
  saturatedFat: number;
  /** Total fat; needed for the saturates/lipids ratio of the fats category. */
  fat?: number;
  salt: number;
  fiber: number;
  protein: number;
  fruitVegetableLegumesPercent: number;
  /** Beverages only: presence of non-nutritive sweeteners (4 negative points). */
  nonNutritiveSweeteners?: boolean;
}

export interface NutriScoreNegativePoints {
  /** Energy points; for fats/oils/nuts/seeds: energy-from-saturates points. */
  energy: number;
  sugars: number;
  /** Saturated fat points; for fats/oils/nuts/seeds: saturates/lipids ratio points. */
  saturatedFat: number;
  salt: number;
  /** Beverages only. */
  sweeteners?: number;
}

export interface NutriScorePositivePoints {
  /** 0 when protein is not counted (see `proteinCounted`). */
  protein: number;
  fiber: number;
  fruitVegetableLegumes: number;
}

export interface NutriScoreResult {
  grade: NutriScoreGrade;
  /** Final score: negative total − positive total. */
  points: number;
  negative: NutriScoreNegativePoints;
  positive: NutriScorePositivePoints;
  proteinCounted: boolean;
  version: '2023';
}

/** Point thresholds, 2023 (Nutriscore.pm `%points_thresholds_2023`). */
export const THRESHOLDS_2023 = {
  // general foods: energy 0-10 in 335 kJ steps
  energy: [335, 670, 1005, 1340, 1675, 2010, 2345, 2680, 3015, 3350],
  // beverages 2023: kJ / 100 ml
  energyBeverages: [30, 90, 150, 210, 240, 270, 300, 330, 360, 390],
  // general foods: sugars 0-15
  sugars: [3.4, 6.8, 10, 14, 17, 20, 24, 27, 31, 34, 37, 41, 44, 48, 51],
  // beverages 2023: sugars 0-10
  sugarsBeverages: [0.5, 2, 3.5, 5, 6, 7, 8, 9, 10, 11],
  // saturated fat 0-10 in 1 g steps (also used for beverages)
  saturatedFat: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  // salt 0-20 in 0.2 g steps (also used for beverages)
  salt: [0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8, 2, 2.2, 2.4, 2.6, 2.8, 3, 3.2, 3.4, 3.6, 3.8, 4],
  // fats, oils, nuts and seeds: energy from saturates 0-10 in 120 kJ steps
  energyFromSaturates: [120, 240, 360, 480, 600, 720, 840, 960, 1080, 1200],
  // fats, oils, nuts and seeds: saturates / lipids (%), `>=` comparison
  saturatesRatio: [10, 16, 22, 28, 34, 40, 46, 52, 58, 64],
  // positive: fruit, vegetables, legumes (%), 0/1/2/5 at >40/>60/>80
  fruitVegetableLegumes: [40, 60, 80, 80, 80],
  // beverages: 0/2/4/6 at >40/>60/>80
  fruitVegetableLegumesBeverages: [40, 40, 60, 60, 80, 80],
  // fibre 0-5 (AOAC), also used for beverages
  fiber: [3.0, 4.1, 5.2, 6.3, 7.4],
  // protein 0-7
  protein: [2.4, 4.8, 7.2, 9.6, 12, 14, 17],
  // beverages: protein 0-7
  proteinBeverages: [1.2, 1.5, 1.8, 2.1, 2.4, 2.7, 3.0],
} as const;

/** Energy density of saturated fatty acids used for "energy from saturates" (Nutriscore.pm inputs: 37 kJ/g). */
const KJ_PER_G_SATURATES = 37;
const KJ_PER_KCAL = 4.184;
const NON_NUTRITIVE_SWEETENER_POINTS = 4;
/** Red-meat products: protein points are capped at 2 (2022 report, Nutriscore.pm). */
const RED_MEAT_PROTEIN_CAP = 2;

/** Points for a value: one per threshold strictly exceeded. */
export function pointsAbove(value: number, thresholds: readonly number[]): number {
  return thresholds.filter((threshold) => value > threshold).length;
}

/** Points for a value: one per threshold reached (`>=`), used only by the saturates ratio table. */
export function pointsAtOrAbove(value: number, thresholds: readonly number[]): number {
  return thresholds.filter((threshold) => value >= threshold).length;
}

export function nutriScore(input: NutriScoreInput): NutriScoreResult {
  const negative = negativePoints(input);
  const negativeTotal = sumPoints(negative);
  const proteinCounted = countsProtein(input.category, negativeTotal);
  const positive = positivePoints(input, proteinCounted);
  const points = negativeTotal - sumPoints(positive);
  return {
    grade: gradeFor(input.category, points),
    points,
    negative,
    positive,
    proteinCounted,
    version: '2023',
  };
}

function isBeverage(category: NutriScoreCategory): boolean {
  return category === 'beverage' || category === 'water';
}

function energyKjOf(input: NutriScoreInput): number {
  return input.energyKj ?? input.energyKcal * KJ_PER_KCAL;
}

/** Saturates as a share of total fat, rounded to one decimal as Open Food Facts does. */
export function saturatesRatioPercent(saturatedFat: number, fat: number | undefined): number {
  if (fat === undefined || fat <= 0) return 0;
  return Math.round((saturatedFat / fat) * 1000) / 10;
}

function negativePoints(input: NutriScoreInput): NutriScoreNegativePoints {
  const t = THRESHOLDS_2023;
  if (input.category === 'fats_oils_nuts_seeds') {
    return {
      energy: pointsAbove(input.saturatedFat * KJ_PER_G_SATURATES, t.energyFromSaturates),
      sugars: pointsAbove(input.sugars, t.sugars),
      saturatedFat: pointsAtOrAbove(saturatesRatioPercent(input.saturatedFat, input.fat), t.saturatesRatio),
      salt: pointsAbove(input.salt, t.salt),
    };
  }
  if (isBeverage(input.category)) {
    return {
      energy: pointsAbove(energyKjOf(input), t.energyBeverages),
      sugars: pointsAbove(input.sugars, t.sugarsBeverages),
      saturatedFat: pointsAbove(input.saturatedFat, t.saturatedFat),
      salt: pointsAbove(input.salt, t.salt),
      sweeteners: input.nonNutritiveSweeteners ? NON_NUTRITIVE_SWEETENER_POINTS : 0,
    };
  }
  return {
    energy: pointsAbove(energyKjOf(input), t.energy),
    sugars: pointsAbove(input.sugars, t.sugars),
    saturatedFat: pointsAbove(input.saturatedFat, t.saturatedFat),
    salt: pointsAbove(input.salt, t.salt),
  };
}

/**
 * Protein counts for beverages and cheese always; for fats/oils/nuts/seeds only when the
 * negative total is < 7; for every other food only when it is < 11 (Nutriscore.pm 2023).
 */
function countsProtein(category: NutriScoreCategory, negativeTotal: number): boolean {
  if (isBeverage(category) || category === 'cheese') return true;
  if (category === 'fats_oils_nuts_seeds') return negativeTotal < 7;
  return negativeTotal < 11;
}

function positivePoints(input: NutriScoreInput, proteinCounted: boolean): NutriScorePositivePoints {
  const t = THRESHOLDS_2023;
  const beverage = isBeverage(input.category);
  const proteinPoints = pointsAbove(input.protein, beverage ? t.proteinBeverages : t.protein);
  const cappedProtein =
    input.category === 'red_meat' ? Math.min(proteinPoints, RED_MEAT_PROTEIN_CAP) : proteinPoints;
  return {
    protein: proteinCounted ? cappedProtein : 0,
    fiber: pointsAbove(input.fiber, t.fiber),
    fruitVegetableLegumes: pointsAbove(
      input.fruitVegetableLegumesPercent,
      beverage ? t.fruitVegetableLegumesBeverages : t.fruitVegetableLegumes,
    ),
  };
}

function sumPoints(points: object): number {
  return Object.values(points).reduce((total: number, value) => total + (value as number), 0);
}

/**
 * Grade boundaries (Nutriscore.pm `compute_nutriscore_grade_2023`):
 * - water: A
 * - beverages: B ≤ 2, C ≤ 6, D ≤ 9, E otherwise (A is reserved for water)
 * - fats, oils, nuts and seeds: A ≤ −6, B ≤ 2, C ≤ 10, D ≤ 18, E otherwise
 * - other foods (incl. cheese, red meat): A ≤ 0, B ≤ 2, C ≤ 10, D ≤ 18, E otherwise
 */
export function gradeFor(category: NutriScoreCategory, points: number): NutriScoreGrade {
  if (category === 'water') return 'A';
  if (category === 'beverage') {
    if (points <= 2) return 'B';
    if (points <= 6) return 'C';
    if (points <= 9) return 'D';
    return 'E';
  }
  const upperA = category === 'fats_oils_nuts_seeds' ? -6 : 0;
  if (points <= upperA) return 'A';
  if (points <= 2) return 'B';
  if (points <= 10) return 'C';
  if (points <= 18) return 'D';
  return 'E';
}
