import type { ConsentRecord, ConsentState } from '@packytrace/contracts';

/**
 * Purposes an account can consent to. `health_profile` is required before a Health Profile is stored
 * (Personalization asks); `analytics` lets the account's scans count in Brand aggregates.
 */
export const CONSENT_PURPOSES = ['health_profile', 'analytics', 'marketing'] as const;
export type Purpose = (typeof CONSENT_PURPOSES)[number];

export function isPurpose(value: string): value is Purpose {
  return (CONSENT_PURPOSES as readonly string[]).includes(value);
}

/** Current state per purpose from the history (oldest first): the latest record wins; never set = not granted. */
export function foldConsents(history: ConsentRecord[]): Record<string, ConsentState> {
  const state: Record<string, ConsentState> = Object.fromEntries(
    CONSENT_PURPOSES.map((p) => [p, { granted: false, policyVersion: null, changedAt: null }]),
  );
  for (const record of history) {
    state[record.purpose] = {
      granted: record.granted,
      policyVersion: record.policyVersion,
      changedAt: record.changedAt,
    };
  }
  return state;
}
