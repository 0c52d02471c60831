/**
 * The Brand's passport editor works on text fields; these turn them into a BrandProductInput
 * (packages/contracts passport-api.ts) and back. Pure, so the mapping is tested without a browser.
 * Publishing replaces the whole product, so every field of BrandProductInput has a form field: one
 * left out would fall back to the service's default on every re-publish (a use-by product would
 * become best-before).
 */
import type { BrandProductInput, ExpiryKind, Passport } from '../api/types';

/**
 * Nutri-Score 2023 categories as BrandProductInput allows them. Listed here because the contract's
 * static type of that mapped union is `never`; passportForm.test.ts checks the list against the schema.
 */
export const NUTRI_SCORE_CATEGORIES = [
  'general',
  'cheese',
  'fats_oils_nuts_seeds',
  'red_meat',
  'beverage',
  'water',
] as const;
export type NutriScoreCategory = (typeof NUTRI_SCORE_CATEGORIES)[number];

/** What a Brand sets besides what shoppers see; a passport carries them when the catalog returns them. */
export type PublishSettings = Pick<
  BrandProductInput,
  'fruitVegetableLegumesPercent' | 'shelfLifeDays' | 'expiryKind'
> & { nutriScoreCategory?: NutriScoreCategory };

/** A passport as the editor loads it: the catalog may return the publish settings too (API.md: "more fields welcome"). */
export type EditablePassport = Passport & PublishSettings;

/**
 * A Brand's product as GET /api/v1/brand/products lists it: carries the publish settings the catalog
 * knows for it (shelf life and date marking always; the Nutri-Score inputs when stored).
 */
export interface BrandProductItem {
  publishSettings?: PublishSettings | null;
}

/** The passport to edit, with the publish settings from the Brand's product list filled in. */
export function withPublishSettings(p: Passport, item?: BrandProductItem | null): EditablePassport {
  const known = Object.fromEntries(
    Object.entries(item?.publishSettings ?? {}).filter(([, value]) => value !== undefined && value !== null),
  ) as PublishSettings;
  return { ...p, ...known };
}

export interface PassportForm {
  name: string;
  category: string;
  quantity: string;
  ingredients: string; // one per line
  allergens: string[];
  traces: string[];
  labels: string; // comma separated
  nutrition: Record<keyof Passport['nutrition'], string>;
  packaging: string; // one per line: "material, recyclable" or "material, not recyclable"
  origin: string;
  nutriScoreCategory: NutriScoreCategory | '';
  fruitVegetableLegumesPercent: string;
  shelfLifeDays: string;
  expiryKind: ExpiryKind | ''; // '' until chosen: no silent default for a safety date
}

/** The publish settings a loaded passport did not carry, so the editor asks for them again. */
export function missingPublishSettings(p: EditablePassport): (keyof PublishSettings)[] {
  return (
    ['nutriScoreCategory', 'fruitVegetableLegumesPercent', 'shelfLifeDays', 'expiryKind'] as const
  ).filter((key) => p[key] === undefined || p[key] === null);
}

export const NUTRIENTS: (keyof Passport['nutrition'])[] = [
  'energyKcal',
  'fat',
  'saturatedFat',
  'carbohydrates',
  'sugars',
  'fiber',
  'protein',
  'salt',
];

export function emptyPassportForm(): PassportForm {
  return {
    name: '',
    category: '',
    quantity: '',
    ingredients: '',
    allergens: [],
    traces: [],
    labels: '',
    nutrition: Object.fromEntries(NUTRIENTS.map((n) => [n, ''])) as PassportForm['nutrition'],
    packaging: '',
    origin: '',
    nutriScoreCategory: 'general',
    fruitVegetableLegumesPercent: '0',
    shelfLifeDays: '',
    expiryKind: '',
  };
}

export function passportToForm(p: EditablePassport): PassportForm {
  return {
    name: p.name,
    category: p.category ?? '',
    quantity: p.quantity ?? '',
    ingredients: p.ingredients.join('\n'),
    allergens: [...p.allergens],
    traces: [...p.traces],
    labels: p.labels.join(', '),
    nutrition: Object.fromEntries(
      NUTRIENTS.map((n) => [n, String(p.nutrition[n])]),
    ) as PassportForm['nutrition'],
    packaging: (p.packaging ?? [])
      .map((pk) => `${pk.material}, ${pk.recyclable ? 'recyclable' : 'not recyclable'}`)
      .join('\n'),
    origin: p.origin ?? '',
    nutriScoreCategory: p.nutriScoreCategory ?? '',
    fruitVegetableLegumesPercent: numberText(p.fruitVegetableLegumesPercent),
    shelfLifeDays: numberText(p.shelfLifeDays),
    expiryKind: p.expiryKind ?? '',
  };
}

function numberText(value: number | undefined | null): string {
  return value === undefined || value === null ? '' : String(value);
}

/** Either the input to PUT, or the sentence saying which field is wrong. */
export function formToInput(form: PassportForm): { input: BrandProductInput } | { problem: string } {
  if (!form.name.trim()) return { problem: 'Give the product a name.' };
  const nutrition = {} as BrandProductInput['nutrition'];
  for (const nutrient of NUTRIENTS) {
    const value = Number(form.nutrition[nutrient].replace(',', '.'));
    if (form.nutrition[nutrient].trim() === '' || !Number.isFinite(value) || value < 0) {
      return {
        problem: `Enter the ${nutrient === 'energyKcal' ? 'energy' : nutrient} per 100 g as a number.`,
      };
    }
    nutrition[nutrient] = value;
  }
  if (!form.nutriScoreCategory) return { problem: 'Choose the Nutri-Score category.' };
  const fruitVegetableLegumesPercent = parseNumber(form.fruitVegetableLegumesPercent);
  if (fruitVegetableLegumesPercent === null || fruitVegetableLegumesPercent > 100) {
    return { problem: 'Enter the share of fruit, vegetables and legumes as a percentage from 0 to 100.' };
  }
  if (!form.expiryKind) {
    return { problem: 'Choose whether the date on the pack is a use-by or a best-before date.' };
  }
  const shelfLifeDays = parseNumber(form.shelfLifeDays);
  if (shelfLifeDays === null || !Number.isInteger(shelfLifeDays) || shelfLifeDays > 3650) {
    return { problem: 'Enter the typical shelf life as whole days, from 0 to 3650.' };
  }
  const input: BrandProductInput = {
    name: form.name.trim(),
    ingredients: lines(form.ingredients),
    allergens: form.allergens as BrandProductInput['allergens'],
    traces: form.traces as BrandProductInput['traces'],
    labels: [
      ...new Set(
        form.labels
          .split(',')
          .map((l) =>
            l
              .trim()
              .toLowerCase()
              .replace(/[\s-]+/g, '_'),
          )
          .filter(Boolean),
      ),
    ],
    nutrition,
    // the contract's static type of this mapped union is `never` (see NUTRI_SCORE_CATEGORIES)
    nutriScoreCategory: form.nutriScoreCategory as never,
    fruitVegetableLegumesPercent,
    shelfLifeDays,
    expiryKind: form.expiryKind,
  };
  const packaging = lines(form.packaging).map(packagingPart);
  if (packaging.length > 0) input.packaging = packaging;
  if (form.category.trim()) input.category = form.category.trim();
  if (form.quantity.trim()) input.quantity = form.quantity.trim();
  if (form.origin.trim()) input.origin = form.origin.trim();
  return { input };
}

/** "material, recyclable": the last comma separates, so a material may contain commas itself. */
function packagingPart(line: string): { material: string; recyclable: boolean } {
  const comma = line.lastIndexOf(',');
  if (comma < 0) return { material: line, recyclable: false };
  return {
    material: line.slice(0, comma).trim(),
    recyclable: /^recyclable$|^yes$/i.test(line.slice(comma + 1).trim()),
  };
}

/** A non-negative number typed with a decimal point or comma; null when empty or not one. */
function parseNumber(text: string): number | null {
  if (text.trim() === '') return null;
  const value = Number(text.replace(',', '.'));
  return Number.isFinite(value) && value >= 0 ? value : null;
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}
