/**
 * Telling a token renewal that failed because the session is over from one that failed on the way.
 * oidc-client-ts raises the token endpoint's OAuth error as an ErrorResponse carrying its `error`
 * code; a dropped connection is a fetch TypeError, a slow one an ErrorTimeout.
 */

/**
 * Codes meaning the refresh token or the session is no longer good: RFC 6749 section 5.2
 * (token endpoint) and OpenID Connect Core 1.0 section 3.1.2.6 (prompt=none). Signing in again is
 * the only way on; any other failure is worth retrying.
 */
const SESSION_ENDED = new Set([
  'invalid_grant',
  'invalid_client',
  'unauthorized_client',
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
]);

export function sessionEnded(error: unknown): boolean {
  const code = (error as { error?: unknown } | null)?.error;
  return error instanceof Error && typeof code === 'string' && SESSION_ENDED.has(code);
}

/** Seconds before the next try after `failures` failed renewals in a row: 5 s doubling, at most 5 min. */
export function renewRetryDelay(failures: number): number {
  return Math.min(300, 5 * 2 ** Math.max(0, failures - 1));
}
