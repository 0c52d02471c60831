import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allergensOfConcern, highlightIngredient } from './allergens';

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
