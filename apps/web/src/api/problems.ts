/**
 * Turns an RFC 9457 problem (or a failed fetch) into one sentence a shopper understands.
 * The `code` is the stable part of the contract (docs/API.md, Conventions); `detail` is the
 * service's own explanation and is shown when the code has no sentence here.
 */
import type { ProblemDetails } from './types';

const SENTENCES: Record<string, string> = {
  invalid_gs1_code: "That code isn't a valid GTIN, GS1 Digital Link or GS1 element string.",
  product_not_found: "This product isn't in the PackyTrace catalog yet.",
  scan_not_found: "We couldn't find that scan in your history.",
  email_taken: 'An account with this email already exists. Sign in instead.',
  weak_password: 'Choose a longer password (at least 8 characters) with letters and numbers.',
  invalid_email: "That email address doesn't look right.",
  profile_not_found: "You haven't saved a Health Profile yet.",
  consent_required: 'Agree to storing your Health Profile first; PackyTrace keeps it only with your consent.',
  identity_unavailable: "We can't check your consent right now, so nothing was saved. Try again in a minute.",
  personalization_unavailable: "Personal verdicts are unavailable right now; the product facts are still shown.",
  unauthorized: 'Your session has ended. Sign in again.',
  invalid_token: 'Your session has ended. Sign in again.',
  authentication_required: 'Sign in to do this.',
  forbidden: "Your account isn't allowed to do this.",
  brand_required: 'Only Brand users can open the Brand dashboard.',
  brand_not_found: "Your account isn't linked to a Brand yet.",
  outside_brand_scope: "This GTIN doesn't belong to your Brand's GS1 company prefixes.",
  item_not_found: 'That item is no longer in your fridge.',
  item_not_in_fridge: 'That item has already been consumed or discarded.',
  quantity_exceeds_remaining: "You can't use more than what is left of this item.",
  event_not_found: 'That history entry no longer exists.',
  undo_not_possible: "That step can't be undone any more.",
  not_found: "We couldn't find what you asked for.",
  rate_limited: 'Too many requests. Wait a moment and try again.',
  upstream_unavailable: 'Part of PackyTrace is unavailable right now. Try again in a minute.',
  service_unavailable: 'PackyTrace is unavailable right now. Try again in a minute.',
  invalid_request: "Some of what you entered isn't valid.",
  internal_error: 'Something went wrong on our side. Try again in a minute.',
};

/** The sentence for problems whose `code` we do not know and that carry no `detail`. */
function sentenceForStatus(status: number): string {
  if (status === 401) return SENTENCES.unauthorized!;
  if (status === 403) return SENTENCES.forbidden!;
  if (status === 404) return SENTENCES.not_found!;
  if (status === 429) return SENTENCES.rate_limited!;
  if (status >= 500) return SENTENCES.service_unavailable!;
  return 'That request could not be completed.';
}

export function problemSentence(problem: Partial<ProblemDetails> & { status: number }): string {
  const known = problem.code ? SENTENCES[problem.code] : undefined;
  if (known) return known;
  if (problem.detail && problem.detail.trim()) return ensureSentence(problem.detail.trim());
  return sentenceForStatus(problem.status);
}

/** `invalid_gs1_code`'s detail says what is wrong with the code, so it goes after the sentence. */
export function problemSentenceWithDetail(problem: Partial<ProblemDetails> & { status: number }): string {
  const sentence = problemSentence(problem);
  const detail = problem.detail?.trim();
  if (problem.code === 'invalid_gs1_code' && detail) return `${sentence} ${ensureSentence(detail)}`;
  if (problem.code === 'invalid_request' && detail) return `${sentence} ${ensureSentence(detail)}`;
  return sentence;
}

export const NETWORK_SENTENCE = "PackyTrace can't be reached. Check your connection and try again.";

function ensureSentence(text: string): string {
  const capitalised = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}
