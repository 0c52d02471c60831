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
    'buttermilk',
    'butterfat',
    'ghee',
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

/**
 * Names in which a dairy word ("butter", "milk", "cream") means something else: plant fats and
 * drinks, and a few homonyms. Each is matched as a whole so its dairy word is not; it is
 * highlighted only for the allergen it does name (peanut butter is peanuts, not milk).
 */
const NOT_DAIRY: [phrase: string, allergen: Allergen | null][] = [
  ['cocoa butter', null],
  ['cacao butter', null],
  ['shea butter', null],
  ['mango butter', null],
  ['kokum butter', null],
  ['illipe butter', null],
  ['sal butter', null],
  ['apple butter', null],
  ['sunflower butter', null],
  ['butter bean', null],
  ['butter beans', null],
  ['coconut milk', null],
  ['coconut cream', null],
  ['cream of coconut', null],
  ['cream of tartar', null],
  ['rice milk', null],
  ['milk thistle', null],
  ['peanut butter', 'peanuts'],
  ['almond butter', 'nuts'],
  ['almond milk', 'nuts'],
  ['cashew butter', 'nuts'],
  ['cashew milk', 'nuts'],
  ['hazelnut butter', 'nuts'],
  ['hazelnut milk', 'nuts'],
  ['nut butter', 'nuts'],
  ['nut milk', 'nuts'],
  ['sesame butter', 'sesame'],
  ['soy milk', 'soybeans'],
  ['soya milk', 'soybeans'],
  ['soy cream', 'soybeans'],
  ['soya cream', 'soybeans'],
  ['oat milk', 'gluten'],
  ['oat cream', 'gluten'],
];

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
 * match "goat"), case-insensitively; longer words win over shorter ones ("skimmed milk" over "milk"),
 * so "cocoa butter" (NOT_DAIRY) is read as one name and not as butter.
 */
export function highlightIngredient(
  ingredient: string,
  userAllergens: readonly string[],
): IngredientSegment[] {
  const active = userAllergens.filter(isAllergen);
  if (active.length === 0) return [{ text: ingredient }];
  const names = new Map<string, Allergen | null>(NOT_DAIRY);
  for (const allergen of active) for (const word of ALLERGEN_WORDS[allergen]) names.set(word, allergen);
  const alternatives = [...names.keys()]
    .sort((a, b) => b.length - a.length)
    .map((name) => name.split(' ').map(escapeRegExp).join('\\s+'));
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  const segments: IngredientSegment[] = [];
  const plain = (text: string) => {
    const previous = segments.at(-1);
    if (previous && !previous.allergen) previous.text += text;
    else segments.push({ text });
  };
  let last = 0;
  for (const match of ingredient.matchAll(pattern)) {
    const start = match.index;
    if (start > last) plain(ingredient.slice(last, start));
    const allergen = names.get(match[0].toLowerCase().replace(/\s+/g, ' '));
    if (allergen && active.includes(allergen)) segments.push({ text: match[0], allergen });
    else plain(match[0]);
    last = start + match[0].length;
  }
  if (last < ingredient.length) plain(ingredient.slice(last));
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

/**
 * The user's allergens to mark in a product's ingredients: only those the product declares as
 * contained or as traces. The declaration is the Brand's statement (Regulation (EU) No 1169/2011,
 * Art. 21); matching words alone would also flag look-alikes the words list does not know.
 */
export function allergensToHighlight(
  product: { allergens: readonly string[]; traces: readonly string[] },
  userAllergens: readonly string[],
): string[] {
  const { contains, traces } = allergensOfConcern(product, userAllergens);
  return [...contains, ...traces];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
