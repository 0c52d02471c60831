/**
 * Turns an RFC 9457 problem (or a failed fetch) into one sentence a shopper understands.
 * The `code` is the stable part of the contract (docs/API.md, Conventions); `detail` is the
 * service's own explanation and is shown when the code has no sentence here.
 */
import type { ProblemDetails } from './types';

const SENTENCES: Record<string, string> = {
  // Passport (scans, catalog, Brand publishing)
  invalid_gs1_code: "That code isn't a valid GTIN, GS1 Digital Link or GS1 element string.",
  product_not_found: "This product isn't in the PackyTrace catalog yet.",
  scan_not_found: "We couldn't find that scan in your history.",
  outside_brand_scope: "This GTIN doesn't belong to your Brand's GS1 company prefixes.",
  invalid_batch:
    'Enter the batch exactly as the barcode carries it: letters, digits and a few symbols, no spaces.',
  brand_not_in_catalog: 'The catalog does not know your Brand yet. Try again in a minute.',
  invalid_cursor: 'That list has changed. Reload the page to see it from the start.',
  // Identity (registration, consents, Brands)
  email_taken: 'An account with this email already exists. Sign in instead.',
  // Keycloak's realm policy: length(10), not the username, not the email (infra/keycloak/realm-packytrace.json).
  weak_password: "Choose a password of at least 10 characters that isn't your email address.",
  invalid_email: "That email address doesn't look right.",
  account_not_found: 'Your sign-in has no PackyTrace account yet. Register first, or sign in again.',
  identity_provider_unavailable: 'Signing up is unavailable right now. Try again in a minute.',
  unknown_purpose: "PackyTrace doesn't know that kind of consent.",
  // Personalization (Health Profile)
  profile_not_found: "You haven't saved a Health Profile yet.",
  consent_required: 'Agree to storing your Health Profile first; PackyTrace keeps it only with your consent.',
  identity_unavailable: "We can't check your consent right now, so nothing was saved. Try again in a minute.",
  // Fridge
  item_not_found: 'That item is no longer in your fridge.',
  item_not_in_fridge: 'That item has already been consumed or discarded.',
  insufficient_quantity: "You can't use more than what is left of this item.",
  already_opened: 'That item is already marked as opened.',
  event_not_found: 'That history entry no longer exists.',
  not_undoable: "That kind of step can't be undone.",
  already_undone: 'That step has already been undone.',
  concurrent_update: 'That item changed in the meantime. Reload your fridge and try again.',
  idempotency_key_reused:
    'That request was already sent with different values. Reload the page and try again.',
  idempotency_key_in_use: 'That request is still being handled. Wait a moment, then reload.',
  passport_unavailable:
    "We can't reach the product catalog right now, so nothing was added. Try again in a minute.",
  // Brand analytics
  invalid_range: 'The start of the period must be before its end.',
  range_too_long: 'Choose a period of at most 366 days.',
  // Gateway and every service
  authentication_required: 'Sign in to do this.',
  invalid_token: 'Your session has ended. Sign in again.',
  brand_required: 'Only Brand users can open the Brand dashboard.',
  brand_not_found: "Your account isn't linked to a Brand yet.",
  role_required: "Your account isn't allowed to do this.",
  route_not_found: "We couldn't find what you asked for.",
  rate_limited: 'Too many requests. Wait a moment and try again.',
  upstream_unavailable: 'Part of PackyTrace is unavailable right now. Try again in a minute.',
  upstream_timeout: 'PackyTrace took too long to answer. Try again in a minute.',
  payload_too_large: 'That is too much to send at once.',
  invalid_request: "Some of what you entered isn't valid.",
  internal_error: 'Something went wrong on our side. Try again in a minute.',
};

/** Fallbacks by HTTP status, for codes we do not know that carry no `detail`. */
const STATUS_SENTENCES = {
  unauthorized: SENTENCES.invalid_token!,
  forbidden: "Your account isn't allowed to do this.",
  notFound: SENTENCES.route_not_found!,
  serviceUnavailable: 'PackyTrace is unavailable right now. Try again in a minute.',
};

/** The sentence for problems whose `code` we do not know and that carry no `detail`. */
function sentenceForStatus(status: number): string {
  if (status === 401) return STATUS_SENTENCES.unauthorized;
  if (status === 403) return STATUS_SENTENCES.forbidden;
  if (status === 404) return STATUS_SENTENCES.notFound;
  if (status === 429) return SENTENCES.rate_limited!;
  if (status >= 500) return STATUS_SENTENCES.serviceUnavailable;
  return 'That request could not be completed.';
}

/** Whether a problem `code` has its own sentence here (rather than the service's detail). */
export function hasSentence(code: string): boolean {
  return Object.hasOwn(SENTENCES, code);
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
