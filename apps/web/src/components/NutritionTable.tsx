import type { Passport } from '../api/types';

const ROWS: { key: keyof Passport['nutrition']; label: string; unit: string; indent?: boolean }[] = [
  { key: 'energyKcal', label: 'Energy', unit: 'kcal' },
  { key: 'fat', label: 'Fat', unit: 'g' },
  { key: 'saturatedFat', label: 'of which saturates', unit: 'g', indent: true },
  { key: 'carbohydrates', label: 'Carbohydrate', unit: 'g' },
  { key: 'sugars', label: 'of which sugars', unit: 'g', indent: true },
  { key: 'fiber', label: 'Fibre', unit: 'g' },
  { key: 'protein', label: 'Protein', unit: 'g' },
  { key: 'salt', label: 'Salt', unit: 'g' },
];

/** The EU nutrition declaration order (Regulation (EU) No 1169/2011, Annex XV). */
export function NutritionTable({
  nutrition,
  overLimit = [],
}: {
  nutrition: Passport['nutrition'];
  overLimit?: string[];
}) {
  return (
    <table className="nutrition">
      <caption>Nutrition per 100 g</caption>
      <thead>
        <tr>
          <th scope="col">Nutrient</th>
          <th scope="col">Per 100 g</th>
        </tr>
      </thead>
      <tbody>
        {ROWS.map((row) => (
          <tr key={row.key} className={overLimit.includes(row.key) ? 'over-limit' : undefined}>
            <th scope="row" className={row.indent ? 'indent' : undefined}>
              {row.label}
              {overLimit.includes(row.key) && <span className="visually-hidden"> (over your limit)</span>}
            </th>
            <td>
              {formatAmount(nutrition[row.key])} {row.unit}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function formatAmount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 1 ? 2 : 1);
}
