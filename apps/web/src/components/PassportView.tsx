import type { ReactNode } from 'react';
import type { Passport, ScanResult, Verdict, VerdictStatus } from '../api/types';
import { allergenLabel, allergensOfConcern, allergensToHighlight } from '../domain/allergens';
import { IngredientList } from './IngredientList';
import { NutriScoreBadge } from './NutriScoreBadge';
import { NutritionTable } from './NutritionTable';
import { VerdictPanel } from './VerdictPanel';

interface Props {
  passport: Passport;
  userAllergens: string[];
  identifier?: ScanResult['identifier'];
  verdict?: { verdict: Verdict | null; status: VerdictStatus };
  actions?: ReactNode;
}

export function PassportView({ passport, userAllergens, identifier, verdict, actions }: Props) {
  const concern = allergensOfConcern(passport, userAllergens);
  const recalls = relevantRecalls(passport, identifier?.batch);
  return (
    <article className="passport" aria-labelledby="product-name">
      {recalls.length > 0 && (
        <section className="alert recall" role="alert">
          <h2>Recalled</h2>
          <ul>
            {recalls.map((recall) => (
              <li key={recall.recallId}>
                {recall.batch ? `Batch ${recall.batch}: ` : 'All batches: '}
                {recall.reason} <span className="small">({recall.recalledAt.slice(0, 10)})</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <header className="product-head">
        <div className="product-image" role="img" aria-label={`No photo of ${passport.name} yet`}>
          <span aria-hidden="true">{(passport.category ?? passport.name).slice(0, 1).toUpperCase()}</span>
        </div>
        <div>
          <h1 id="product-name">{passport.name}</h1>
          <p className="brand">
            {passport.brand.name}
            {passport.quantity ? ` · ${passport.quantity}` : ''}
          </p>
          <NutriScoreBadge nutriScore={passport.nutriScore} />
        </div>
      </header>

      {verdict && <VerdictPanel verdict={verdict.verdict} status={verdict.status} />}
      {actions && <div className="actions">{actions}</div>}

      {identifier &&
        (identifier.batch || identifier.expiry || identifier.bestBefore || identifier.serial) && (
          <section aria-labelledby="code-title">
            <h2 id="code-title">From the code you scanned</h2>
            <dl className="facts">
              {identifier.batch && <Fact term="Batch" value={identifier.batch} />}
              {identifier.expiry && <Fact term="Use by" value={identifier.expiry} />}
              {identifier.bestBefore && <Fact term="Best before" value={identifier.bestBefore} />}
              {identifier.serial && <Fact term="Serial" value={identifier.serial} />}
            </dl>
          </section>
        )}

      <section aria-labelledby="ingredients-title">
        <h2 id="ingredients-title">Ingredients</h2>
        <IngredientList
          ingredients={passport.ingredients}
          allergens={allergensToHighlight(passport, userAllergens)}
        />
      </section>

      <section aria-labelledby="allergens-title">
        <h2 id="allergens-title">Allergens</h2>
        {(concern.contains.length > 0 || concern.traces.length > 0) && (
          <p className="alert-inline">
            {concern.contains.length > 0 &&
              `Contains your allergens: ${concern.contains.map(allergenLabel).join(', ')}. `}
            {concern.traces.length > 0 &&
              `May contain traces of your allergens: ${concern.traces.map(allergenLabel).join(', ')}.`}
          </p>
        )}
        <dl className="facts">
          <Fact term="Contains" value={listOrNone(passport.allergens)} />
          <Fact term="May contain traces of" value={listOrNone(passport.traces)} />
        </dl>
      </section>

      <section aria-labelledby="nutrition-title">
        <h2 id="nutrition-title" className="visually-hidden">
          Nutrition
        </h2>
        <NutritionTable
          nutrition={passport.nutrition}
          overLimit={nutrientsOverLimit(verdict?.verdict ?? null)}
        />
      </section>

      <section aria-labelledby="more-title">
        <h2 id="more-title">Packaging and origin</h2>
        <dl className="facts">
          <Fact
            term="Packaging"
            value={
              passport.packaging?.length
                ? passport.packaging
                    .map((p) => `${p.material} (${p.recyclable ? 'recyclable' : 'not recyclable'})`)
                    .join(', ')
                : 'Not stated'
            }
          />
          <Fact term="Origin" value={passport.origin ?? 'Not stated'} />
          {passport.labels.length > 0 && (
            <Fact term="Labels" value={passport.labels.map((l) => l.replace(/_/g, ' ')).join(', ')} />
          )}
          <Fact term="GTIN" value={passport.gtin} />
        </dl>
      </section>
    </article>
  );
}

function Fact({ term, value }: { term: string; value: string }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function listOrNone(codes: string[]): string {
  return codes.length ? codes.map(allergenLabel).join(', ') : 'None declared';
}

/** Recalls of the whole product, or of the batch in the scanned code. */
function relevantRecalls(passport: Passport, batch: string | undefined) {
  return (passport.recalls ?? []).filter((recall) => !recall.batch || !batch || recall.batch === batch);
}

function nutrientsOverLimit(verdict: Verdict | null): string[] {
  return (verdict?.reasons ?? [])
    .filter((r) => r.code === 'nutrient_over_limit' && typeof r.facts?.nutrient === 'string')
    .map((r) => r.facts!.nutrient as string);
}
