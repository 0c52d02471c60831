/** The verdict in plain words (docs/API.md: rating, reasons, ruleSetVersion; or why there is none). */
import type { Rating, VerdictStatus } from '../api/types';

export const RATING_WORDS: Record<Rating, { title: string; summary: string }> = {
  suitable: {
    title: 'Suitable for you',
    summary: 'Nothing in this product conflicts with your Health Profile.',
  },
  caution: { title: 'Take care', summary: 'This product may not suit you. Read the reasons below.' },
  unsuitable: { title: 'Not suitable for you', summary: 'This product conflicts with your Health Profile.' },
};

/** Why a scan has no verdict; `ok` never reaches here. */
export function missingVerdictSentence(status: Exclude<VerdictStatus, 'ok'>): string {
  switch (status) {
    case 'anonymous':
      return 'Sign in and set up a Health Profile to get a personal verdict on products.';
    case 'no_profile':
      return 'You have no Health Profile yet, so there is no personal verdict. Set one up to get one.';
    case 'unavailable':
      return 'Personal verdicts are unavailable right now. The product facts below are still accurate.';
  }
}
