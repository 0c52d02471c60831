import { BrandProductInput } from '@packytrace/contracts';
import { describe, expect, it } from 'vitest';
import {
  emptyPassportForm,
  formToInput,
  missingPublishSettings,
  NUTRI_SCORE_CATEGORIES,
  passportToForm,
  withPublishSettings,
  type EditablePassport,
} from './passportForm';

const passport: EditablePassport = {
  gtin: '05701234000011',
  name: 'Rye bread',
  brand: { id: 'b', name: 'Nordhavn Foods' },
  category: 'bread',
  quantity: '500 g',
  ingredients: ['wholemeal rye flour', 'water', 'salt'],
  allergens: ['gluten'],
  traces: ['sesame'],
  labels: ['organic', 'vegan'],
  nutrition: {
    energyKcal: 210,
    fat: 1.5,
    saturatedFat: 0.3,
    carbohydrates: 38,
    sugars: 2.1,
    fiber: 9,
    protein: 6,
    salt: 1.1,
  },
  packaging: [
    { material: 'paper bag', recyclable: true },
    { material: 'plastic clip', recyclable: false },
  ],
  origin: 'Denmark',
  nutriScore: { grade: 'A', points: -2, version: '2023' },
  recalls: [],
  nutriScoreCategory: 'general',
  fruitVegetableLegumesPercent: 0,
  shelfLifeDays: 10,
  expiryKind: 'best_before',
};

/** A chilled product whose publish settings differ from every service default. */
const smokedSalmon: EditablePassport = {
  gtin: '05701234000028',
  name: 'Smoked salmon, sliced',
  brand: { id: 'b', name: 'Nordhavn Foods' },
  category: 'fish',
  quantity: '100 g',
  ingredients: ['salmon (98%)', 'salt', 'smoke'],
  allergens: ['fish'],
  traces: [],
  labels: ['gluten_free'],
  nutrition: {
    energyKcal: 180,
    fat: 10,
    saturatedFat: 1.8,
    carbohydrates: 0,
    sugars: 0,
    fiber: 0,
    protein: 22,
    salt: 3,
  },
  packaging: [{ material: 'tray, PET and PE', recyclable: false }],
  nutriScore: { grade: 'D', points: 12, version: '2023' },
  nutriScoreCategory: 'red_meat',
  fruitVegetableLegumesPercent: 12.5,
  shelfLifeDays: 21,
  expiryKind: 'use_by',
};

/** What the Brand published: the passport minus what the platform fills in (gtin, brand, Nutri-Score, recalls). */
function publishedInput(p: EditablePassport) {
  const { gtin: _gtin, brand: _brand, nutriScore: _score, recalls: _recalls, ...input } = p;
  return input;
}

describe('the Brand passport form', () => {
  it('round-trips a passport into the input the Brand API takes', () => {
    expect(formToInput(passportToForm(passport))).toEqual({ input: publishedInput(passport) });
  });

  it('re-publishing an unedited passport keeps every field, the use-by date and Nutri-Score settings too', () => {
    const result = formToInput(passportToForm(smokedSalmon));
    expect(result).toEqual({ input: publishedInput(smokedSalmon) });
    expect('input' in result && result.input.expiryKind).toBe('use_by');
  });

  it('asks again for the settings a loaded passport does not carry, rather than sending defaults', () => {
    const {
      nutriScoreCategory: _c,
      fruitVegetableLegumesPercent: _f,
      shelfLifeDays: _s,
      expiryKind: _e,
      ...shown
    } = smokedSalmon;
    expect(missingPublishSettings(shown)).toEqual([
      'nutriScoreCategory',
      'fruitVegetableLegumesPercent',
      'shelfLifeDays',
      'expiryKind',
    ]);
    const form = passportToForm(shown);
    expect(formToInput(form)).toEqual({ problem: 'Choose the Nutri-Score category.' });
    form.nutriScoreCategory = 'red_meat';
    form.fruitVegetableLegumesPercent = '12,5';
    expect(formToInput(form)).toEqual({
      problem: 'Choose whether the date on the pack is a use-by or a best-before date.',
    });
    form.expiryKind = 'use_by';
    expect(formToInput(form)).toEqual({
      problem: 'Enter the typical shelf life as whole days, from 0 to 3650.',
    });
    form.shelfLifeDays = '21';
    expect(formToInput(form)).toEqual({ input: publishedInput(smokedSalmon) });
  });

  it('prefills the publish settings from the Brand product list, so an unedited re-publish sends them unchanged', () => {
    const { nutriScoreCategory, fruitVegetableLegumesPercent, shelfLifeDays, expiryKind, ...shown } =
      smokedSalmon;
    const item = {
      publishSettings: { nutriScoreCategory, fruitVegetableLegumesPercent, shelfLifeDays, expiryKind },
    };
    const loaded = withPublishSettings(shown, item);
    expect(missingPublishSettings(loaded)).toEqual([]);
    expect(formToInput(passportToForm(loaded))).toEqual({ input: publishedInput(smokedSalmon) });
    // a product published before the Nutri-Score inputs were stored: only those are asked for
    const older = withPublishSettings(shown, { publishSettings: { shelfLifeDays, expiryKind } });
    expect(missingPublishSettings(older)).toEqual(['nutriScoreCategory', 'fruitVegetableLegumesPercent']);
  });

  it('a new product needs its date marking chosen', () => {
    const form = { ...emptyPassportForm(), name: 'Skyr' };
    for (const n of Object.keys(form.nutrition) as (keyof typeof form.nutrition)[]) form.nutrition[n] = '1';
    expect(formToInput(form)).toEqual({
      problem: 'Choose whether the date on the pack is a use-by or a best-before date.',
    });
  });

  it('offers exactly the Nutri-Score categories the publish schema allows', () => {
    const schema = BrandProductInput.properties.nutriScoreCategory as unknown as {
      anyOf: { const: string }[];
    };
    expect(NUTRI_SCORE_CATEGORIES).toEqual(schema.anyOf.map((c) => c.const));
  });

  it('says which nutrient is missing', () => {
    const form = passportToForm(passport);
    form.nutrition.salt = '';
    expect(formToInput(form)).toEqual({ problem: 'Enter the salt per 100 g as a number.' });
  });

  it('accepts a decimal comma and normalises label spelling', () => {
    const form = passportToForm(passport);
    form.nutrition.fat = '1,5';
    form.labels = 'Gluten free, Organic, organic';
    const result = formToInput(form);
    expect('input' in result && result.input.nutrition.fat).toBe(1.5);
    expect('input' in result && result.input.labels).toEqual(['gluten_free', 'organic']);
  });
});
