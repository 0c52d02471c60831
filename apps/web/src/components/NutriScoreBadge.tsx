import type { Passport } from '../api/types';

/** Nutri-Score A–E (Santé publique France); the grade is computed by the Passport service. */
export function NutriScoreBadge({ nutriScore }: { nutriScore: Passport['nutriScore'] }) {
  if (!nutriScore) return <span className="nutriscore none">Nutri-Score not available</span>;
  return (
    <span className="nutriscore" role="img" aria-label={`Nutri-Score ${nutriScore.grade}`}>
      <span className="nutriscore-title" aria-hidden="true">
        Nutri-Score
      </span>
      {(['A', 'B', 'C', 'D', 'E'] as const).map((grade) => (
        <span
          key={grade}
          aria-hidden="true"
          className={`grade grade-${grade}${grade === nutriScore.grade ? ' current' : ''}`}
        >
          {grade}
        </span>
      ))}
    </span>
  );
}
