import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allergensOfConcern, allergensToHighlight, highlightIngredient } from './allergens';

const highlighted = (ingredient: string, allergens: string[]) =>
  highlightIngredient(ingredient, allergens)
    .filter((s) => s.allergen)
    .map((s) => [s.text, s.allergen]);

describe('allergen highlighting', () => {
  it('highlights the words that name the user allergen', () => {
    expect(highlighted('Skimmed MILK powder, whey', ['milk'])).toEqual([
      ['Skimmed MILK', 'milk'],
      ['whey', 'milk'],
    ]);
  });

  it('matches whole words only', () => {
    expect(highlighted('goat cheese', ['gluten'])).toEqual([]);
    expect(highlighted('oat flakes', ['gluten'])).toEqual([['oat', 'gluten']]);
  });

  it('does not take plant butters, creams and milks for milk', () => {
    for (const ingredient of [
      'cocoa butter',
      'Shea Butter',
      'coconut cream',
      'coconut  milk',
      'cream of tartar',
      'butter beans',
    ])
      expect(highlighted(ingredient, ['milk']), ingredient).toEqual([]);
    expect(highlighted('peanut butter (roasted peanuts)', ['milk'])).toEqual([]);
    expect(highlighted('almond milk', ['milk'])).toEqual([]);
  });

  it('still highlights dairy, and a plant butter for the allergen it does name', () => {
    expect(highlighted('ice cream', ['milk'])).toEqual([['cream', 'milk']]);
    expect(highlighted('butter, cocoa butter, buttermilk', ['milk'])).toEqual([
      ['butter', 'milk'],
      ['buttermilk', 'milk'],
    ]);
    expect(highlighted('peanut butter', ['peanuts', 'milk'])).toEqual([['peanut butter', 'peanuts']]);
    expect(highlighted('almond milk', ['nuts'])).toEqual([['almond milk', 'nuts']]);
  });

  it('marks only the user allergens the product declares, as contained or as traces', () => {
    const darkChocolate = { allergens: ['soybeans'], traces: ['nuts'] };
    expect(allergensToHighlight(darkChocolate, ['milk', 'nuts', 'soybeans'])).toEqual(['soybeans', 'nuts']);
    expect(allergensToHighlight(darkChocolate, ['milk'])).toEqual([]);
  });

  it('highlights nothing for a user without allergens or with unknown codes', () => {
    expect(highlightIngredient('wheat flour', [])).toEqual([{ text: 'wheat flour' }]);
    expect(highlightIngredient('wheat flour', ['gluten_free'])).toEqual([{ text: 'wheat flour' }]);
  });

  it('keeps only allergens of the user, and traces not already contained', () => {
    const product = { allergens: ['milk', 'gluten'], traces: ['nuts', 'milk', 'sesame'] };
    expect(allergensOfConcern(product, ['milk', 'nuts'])).toEqual({ contains: ['milk'], traces: ['nuts'] });
  });

  it('the segments always join back to the ingredient text', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.subarray(['milk', 'gluten', 'nuts', 'eggs', 'sesame', 'sulphites']),
        (text, allergens) => {
          expect(
            highlightIngredient(text, allergens)
              .map((s) => s.text)
              .join(''),
          ).toBe(text);
        },
      ),
    );
  });
});
