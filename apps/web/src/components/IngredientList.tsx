import { allergenLabel, highlightIngredient } from '../domain/allergens';

/**
 * Ingredients with the user's allergens marked (<mark> is announced as "highlight" by screen readers).
 * `allergens`: the user's allergens the product declares (allergensToHighlight).
 */
export function IngredientList({ ingredients, allergens }: { ingredients: string[]; allergens: string[] }) {
  if (ingredients.length === 0) return <p>No ingredients listed.</p>;
  return (
    <ul className="ingredients" aria-label="Ingredients">
      {ingredients.map((ingredient, index) => (
        <li key={`${index}-${ingredient}`}>
          {highlightIngredient(ingredient, allergens).map((segment, i) =>
            segment.allergen ? (
              <mark key={i} title={`Contains ${allergenLabel(segment.allergen)}, one of your allergens`}>
                {segment.text}
                <span className="visually-hidden"> (your allergen: {allergenLabel(segment.allergen)})</span>
              </mark>
            ) : (
              <span key={i}>{segment.text}</span>
            ),
          )}
        </li>
      ))}
    </ul>
  );
}
