import { describe, expect, it } from 'vitest';
import type { Passport } from '../api/types';
import { formToInput, passportToForm } from './passportForm';

const passport: Passport = {
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
};

describe('the Brand passport form', () => {
  it('round-trips a passport into the input the Brand API takes', () => {
    const result = formToInput(passportToForm(passport));
    expect(result).toEqual({
      input: {
        name: 'Rye bread',
        category: 'bread',
        quantity: '500 g',
        ingredients: ['wholemeal rye flour', 'water', 'salt'],
        allergens: ['gluten'],
        traces: ['sesame'],
        labels: ['organic', 'vegan'],
        nutrition: passport.nutrition,
        packaging: passport.packaging,
        origin: 'Denmark',
      },
    });
  });

  it('says which nutrient is missing', () => {
    const form = passportToForm(passport);
    form.nutrition.salt = '';
    expect(formToInput(form)).toEqual({ problem: 'Enter the salt per 100 g as a number.' });
  });

  it('accepts a decimal comma and normalises label spelling', () => {
    const form = passportToForm(passport);
    form.nutrition.fat = '1,5';
    form.labels = 'Gluten free, Organic';
    const result = formToInput(form);
    expect('input' in result && result.input.nutrition.fat).toBe(1.5);
    expect('input' in result && result.input.labels).toEqual(['gluten_free', 'organic']);
  });
});
