import { Link } from 'react-router';
import type { Verdict, VerdictStatus } from '../api/types';
import { missingVerdictSentence, RATING_WORDS } from '../domain/verdict';

export function VerdictPanel({ verdict, status }: { verdict: Verdict | null; status: VerdictStatus }) {
  if (status !== 'ok' || !verdict) {
    const why = status === 'ok' ? 'unavailable' : status;
    return (
      <section className="verdict verdict-none" aria-labelledby="verdict-title">
        <h2 id="verdict-title">Your verdict</h2>
        <p>{missingVerdictSentence(why)}</p>
        {why === 'no_profile' && <Link to="/profile">Set up your Health Profile</Link>}
      </section>
    );
  }
  const words = RATING_WORDS[verdict.rating];
  return (
    <section className={`verdict verdict-${verdict.rating}`} aria-labelledby="verdict-title">
      <h2 id="verdict-title">
        <span className="verdict-icon" aria-hidden="true">
          {verdict.rating === 'suitable' ? '✓' : verdict.rating === 'caution' ? '!' : '✕'}
        </span>{' '}
        {words.title}
      </h2>
      <p>{words.summary}</p>
      {verdict.reasons.length > 0 && (
        <ul className="reasons">
          {verdict.reasons.map((reason, i) => (
            <li key={`${reason.code}-${i}`}>{reason.message}</li>
          ))}
        </ul>
      )}
      <p className="small">Rule set {verdict.ruleSetVersion}</p>
    </section>
  );
}
