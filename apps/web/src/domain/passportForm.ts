/**
 * The Brand's passport editor works on text fields; these turn them into a BrandProductInput
 * (packages/contracts passport-api.ts) and back. Pure, so the mapping is tested without a browser.
 */
import type { BrandProductInput, Passport } from '../api/types';

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
  };
}

export function passportToForm(p: Passport): PassportForm {
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
  };
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
  const input: BrandProductInput = {
    name: form.name.trim(),
    ingredients: lines(form.ingredients),
    allergens: form.allergens as BrandProductInput['allergens'],
    traces: form.traces as BrandProductInput['traces'],
    labels: form.labels
      .split(',')
      .map((l) =>
        l
          .trim()
          .toLowerCase()
          .replace(/[\s-]+/g, '_'),
      )
      .filter(Boolean),
    nutrition,
    packaging: lines(form.packaging).map((line) => {
      const [material = '', recyclable = ''] = line.split(',').map((s) => s.trim());
      return { material, recyclable: /^recyclable$|^yes$/i.test(recyclable) };
    }),
  };
  if (form.category.trim()) input.category = form.category.trim();
  if (form.quantity.trim()) input.quantity = form.quantity.trim();
  if (form.origin.trim()) input.origin = form.origin.trim();
  return { input };
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}
