/**
 * What the demo catalog knows about each ingredient it uses: which of the 14 EU allergens
 * (Regulation (EU) No 1169/2011, Annex II) it contains and the most permissive diet it fits.
 * The catalog derives allergens and the vegan/vegetarian labels from this table, so a
 * product's allergens can never disagree with its ingredient list.
 */

import { ALLERGENS, type Allergen } from '@packytrace/contracts';

export const EU_ALLERGENS = ALLERGENS;
export type { Allergen };

/** vegan: plant or mineral; vegetarian: milk, eggs or honey; animal: meat, fish or seafood. */
export type IngredientDiet = 'vegan' | 'vegetarian' | 'animal';

export interface IngredientFacts {
  allergens: readonly Allergen[];
  diet: IngredientDiet;
}

const vegan = (...allergens: Allergen[]): IngredientFacts => ({ allergens, diet: 'vegan' });
const vegetarian = (...allergens: Allergen[]): IngredientFacts => ({ allergens, diet: 'vegetarian' });
const animal = (...allergens: Allergen[]): IngredientFacts => ({ allergens, diet: 'animal' });

/** Non-nutritive sweeteners: they add 4 negative points to a beverage's Nutri-Score (2023). */
export const NON_NUTRITIVE_SWEETENERS: ReadonlySet<string> = new Set(['sucralose', 'steviol glycosides']);

export const INGREDIENTS: Readonly<Record<string, IngredientFacts>> = {
  // dairy and eggs
  'skimmed milk': vegetarian('milk'),
  'whole milk': vegetarian('milk'),
  'semi-skimmed milk': vegetarian('milk'),
  'lactose-free semi-skimmed milk': vegetarian('milk'),
  'skimmed milk powder': vegetarian('milk'),
  'whole milk powder': vegetarian('milk'),
  cream: vegetarian('milk'),
  butter: vegetarian('milk'),
  'emmental cheese': vegetarian('milk'),
  'pasteurised cow milk': vegetarian('milk'),
  eggs: vegetarian('eggs'),
  'egg white': vegetarian('eggs'),
  honey: vegetarian(),
  'live yoghurt cultures': vegan(),
  'cheese cultures': vegan(),
  'microbial rennet': vegan(),
  'lactase enzyme': vegan(),
  // meat, fish, seafood
  beef: animal(),
  bacon: animal(),
  chicken: animal(),
  cod: animal('fish'),
  salmon: animal('fish'),
  herring: animal('fish'),
  'anchovy paste': animal('fish'),
  prawns: animal('crustaceans'),
  mussels: animal('molluscs'),
  squid: animal('molluscs'),
  // cereals
  'wholegrain rye flour': vegan('gluten'),
  'rye kernels': vegan('gluten'),
  'rye sourdough': vegan('gluten'),
  'wheat flour': vegan('gluten'),
  'wholemeal wheat flour': vegan('gluten'),
  'durum wheat semolina': vegan('gluten'),
  'barley malt extract': vegan('gluten'),
  'wheat flakes': vegan('gluten'),
  'spelt flakes': vegan('gluten'),
  oats: vegan('gluten'),
  'rolled oats': vegan('gluten'),
  'organic rolled oats': vegan('gluten'),
  maize: vegan(),
  'bomba rice': vegan(),
  'rice crisps': vegan(),
  'corn starch': vegan(),
  'potato starch': vegan(),
  // nuts, seeds, legumes
  almonds: vegan('nuts'),
  'roasted almonds': vegan('nuts'),
  hazelnuts: vegan('nuts'),
  'roasted peanuts': vegan('peanuts'),
  'sesame seeds': vegan('sesame'),
  'sunflower seeds': vegan(),
  'pumpkin seeds': vegan(),
  linseed: vegan(),
  'caraway seeds': vegan(),
  'soy lecithin': vegan('soybeans'),
  'cooked chickpeas': vegan(),
  'cooked white beans': vegan(),
  'cooked lentils': vegan(),
  peas: vegan(),
  // fruit and vegetables
  strawberries: vegan(),
  blueberries: vegan(),
  peaches: vegan(),
  cherries: vegan(),
  'sour cherries': vegan(),
  rhubarb: vegan(),
  apricots: vegan(),
  'bitter oranges': vegan(),
  figs: vegan(),
  raisins: vegan(),
  'dried apple': vegan(),
  'sulphured dried apricots': vegan('sulphites'),
  'mango purée': vegan(),
  'blackcurrant juice': vegan(),
  'lingonberry juice': vegan(),
  'apple juice': vegan(),
  'sea buckthorn juice': vegan(),
  'orange juice': vegan(),
  'blood orange juice': vegan(),
  'orange pulp': vegan(),
  'lemon juice': vegan(),
  'elderflower extract': vegan(),
  potatoes: vegan(),
  onion: vegan(),
  'fried onions': vegan(),
  garlic: vegan(),
  tomatoes: vegan(),
  'tomato paste': vegan(),
  cucumber: vegan(),
  'red peppers': vegan(),
  'green peppers': vegan(),
  'green beans': vegan(),
  watermelon: vegan(),
  'manzanilla olives': vegan(),
  'black olives': vegan(),
  'red pepper paste': vegan(),
  'black truffle': vegan(),
  // oils and fats
  'rapeseed oil': vegan(),
  'sunflower oil': vegan(),
  'coconut oil': vegan(),
  'extra virgin olive oil': vegan(),
  'arbequina extra virgin olive oil': vegan(),
  'picual extra virgin olive oil': vegan(),
  'hojiblanca extra virgin olive oil': vegan(),
  'organic extra virgin olive oil': vegan(),
  'cocoa butter': vegan(),
  // sugars, cocoa, flavour
  sugar: vegan(),
  'glucose syrup': vegan(),
  'cocoa mass': vegan(),
  'cocoa powder': vegan(),
  'vanilla extract': vegan(),
  'liquorice extract': vegan(),
  'ammonium chloride': vegan(),
  'aniseed oil': vegan(),
  'vegetable carbon': vegan(),
  'natural flavouring': vegan(),
  'natural lemon flavouring': vegan(),
  'truffle flavouring': vegan(),
  pectin: vegan(),
  sucralose: vegan(),
  // herbs and spices
  dill: vegan(),
  parsley: vegan(),
  chives: vegan(),
  basil: vegan(),
  oregano: vegan(),
  rosemary: vegan(),
  'bay leaves': vegan(),
  allspice: vegan(),
  'white pepper': vegan(),
  'black pepper': vegan(),
  paprika: vegan(),
  'smoked paprika': vegan(),
  chilli: vegan(),
  saffron: vegan(),
  nutmeg: vegan(),
  'curry powder': vegan(),
  mustard: vegan('mustard'),
  // condiments, wine, vinegar
  'spirit vinegar': vegan(),
  'sherry vinegar': vegan('sulphites'),
  sherry: vegan('sulphites'),
  'red wine': vegan('sulphites'),
  // water, salt, minerals, leavening, acids
  water: vegan(),
  'natural mineral water': vegan(),
  'carbon dioxide': vegan(),
  salt: vegan(),
  'sea salt': vegan(),
  'smoked sea salt': vegan(),
  yeast: vegan(),
  'calcium carbonate': vegan(),
  'dipotassium phosphate': vegan(),
  'lactic acid': vegan(),
  'citric acid': vegan(),
};

export function ingredientFacts(name: string): IngredientFacts {
  const facts = INGREDIENTS[name];
  if (!facts) throw new Error(`demo catalog: unknown ingredient "${name}"`);
  return facts;
}
