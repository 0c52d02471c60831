/**
 * A pragmatic address check: one `@`, a non-empty local part, a dotted domain of LDH labels, no spaces.
 * Full RFC 5321 syntax (quoted local parts, address literals) is refused on purpose: Keycloak and mail
 * providers reject most of it anyway.
 */
const emailPattern =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

export function isValidEmail(email: string): boolean {
  return emailPattern.test(email) && !email.includes('..');
}

/** Emails are compared case-insensitively; the stored form is trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
