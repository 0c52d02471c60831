/**
 * Finding the user's allergens in a product's ingredient list so the passport can highlight them.
 * The 14 codes are the EU's (Regulation (EU) No 1169/2011, Annex II); the words for each are the
 * common English names of Annex II's sources, so "whey" highlights for `milk` and "spelt" for `gluten`.
 */
import type { Allergen } from '../api/types';

// A Record over the contract's Allergen type: the build fails if the contract adds or renames a code.
// (Importing the contract's ALLERGENS value would pull TypeBox and every schema into the bundle.)
export const ALLERGEN_LABELS: Record<Allergen, string> = {
  gluten: 'Gluten (cereals)',
  crustaceans: 'Crustaceans',
  eggs: 'Eggs',
  fish: 'Fish',
  peanuts: 'Peanuts',
  soybeans: 'Soybeans',
  milk: 'Milk',
  nuts: 'Tree nuts',
  celery: 'Celery',
  mustard: 'Mustard',
  sesame: 'Sesame',
  sulphites: 'Sulphites',
  lupin: 'Lupin',
  molluscs: 'Molluscs',
};

/** In the order of Annex II, as the labels above. */
export const ALLERGENS = Object.keys(ALLERGEN_LABELS) as Allergen[];

const ALLERGEN_WORDS: Record<Allergen, string[]> = {
  gluten: ['gluten', 'wheat', 'rye', 'barley', 'oat', 'oats', 'spelt', 'kamut', 'semolina', 'durum', 'malt'],
  crustaceans: [
    'crustacean',
    'crustaceans',
    'shrimp',
    'shrimps',
    'prawn',
    'prawns',
    'crab',
    'lobster',
    'crayfish',
  ],
  eggs: ['egg', 'eggs', 'albumin'],
  fish: [
    'fish',
    'salmon',
    'tuna',
    'cod',
    'anchovy',
    'anchovies',
    'herring',
    'mackerel',
    'sardine',
    'sardines',
  ],
  peanuts: ['peanut', 'peanuts', 'groundnut', 'groundnuts'],
  soybeans: ['soy', 'soya', 'soybean', 'soybeans', 'tofu'],
  milk: [
    'milk',
    'cream',
    'butter',
    'cheese',
    'whey',
    'lactose',
    'yoghurt',
    'yogurt',
    'casein',
    'skimmed milk',
  ],
  nuts: [
    'almond',
    'almonds',
    'hazelnut',
    'hazelnuts',
    'walnut',
    'walnuts',
    'cashew',
    'cashews',
    'pecan',
    'pecans',
    'pistachio',
    'pistachios',
    'macadamia',
    'brazil nut',
    'brazil nuts',
  ],
  celery: ['celery', 'celeriac'],
  mustard: ['mustard'],
  sesame: ['sesame', 'tahini'],
  sulphites: ['sulphite', 'sulphites', 'sulfite', 'sulfites', 'sulphur dioxide', 'sulfur dioxide'],
  lupin: ['lupin', 'lupine'],
  molluscs: [
    'mollusc',
    'molluscs',
    'mussel',
    'mussels',
    'oyster',
    'oysters',
    'squid',
    'octopus',
    'clam',
    'clams',
    'snail',
    'snails',
  ],
};

export interface IngredientSegment {
  text: string;
  /** Set when this part of the text names one of the user's allergens. */
  allergen?: Allergen;
}

export function isAllergen(code: string): code is Allergen {
  return (ALLERGENS as readonly string[]).includes(code);
}

export function allergenLabel(code: string): string {
  return isAllergen(code) ? ALLERGEN_LABELS[code] : code.replace(/_/g, ' ');
}

/**
 * Splits one ingredient into plain and highlighted parts. Only whole words match ("oat" does not
 * match "goat"), case-insensitively; longer words win over shorter ones ("skimmed milk" over "milk").
 */
export function highlightIngredient(
  ingredient: string,
  userAllergens: readonly string[],
): IngredientSegment[] {
  const words = userAllergens
    .filter(isAllergen)
    .flatMap((allergen) => ALLERGEN_WORDS[allergen].map((word) => ({ word, allergen })));
  if (words.length === 0) return [{ text: ingredient }];
  words.sort((a, b) => b.word.length - a.word.length);
  const pattern = new RegExp(
    `(?<![\\p{L}\\p{N}])(${words.map((w) => escapeRegExp(w.word)).join('|')})(?![\\p{L}\\p{N}])`,
    'giu',
  );
  const segments: IngredientSegment[] = [];
  let last = 0;
  for (const match of ingredient.matchAll(pattern)) {
    const start = match.index;
    if (start > last) segments.push({ text: ingredient.slice(last, start) });
    const found = words.find((w) => w.word === match[0].toLowerCase());
    segments.push({ text: match[0], allergen: found?.allergen });
    last = start + match[0].length;
  }
  if (last < ingredient.length) segments.push({ text: ingredient.slice(last) });
  return segments;
}

/** The user's allergens that the product declares as contained or as possible traces. */
export function allergensOfConcern(
  product: { allergens: readonly string[]; traces: readonly string[] },
  userAllergens: readonly string[],
): { contains: string[]; traces: string[] } {
  return {
    contains: product.allergens.filter((a) => userAllergens.includes(a)),
    traces: product.traces.filter((a) => userAllergens.includes(a) && !product.allergens.includes(a)),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
