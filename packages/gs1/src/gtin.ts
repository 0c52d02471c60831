import { InvalidGs1Code, type Gs1CodeLocation } from './errors.js';

const GTIN_LENGTHS = new Set([8, 12, 13, 14]);

/**
 * Mod-10 check digit of a GS1 key body (GS1 General Specifications 7.9.1): weights 3 and 1
 * alternate from the rightmost digit of the body, the check digit brings the sum to a multiple of 10.
 */
export function gtinCheckDigit(body: string): number {
  if (typeof body !== 'string' || !/^\d+$/.test(body)) {
    throw new InvalidGs1Code(`check digit needs a body of digits, found "${String(body)}"`);
  }
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const weight = i % 2 === 0 ? 3 : 1;
    sum += Number(body[body.length - 1 - i]) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

/** Throws unless the last digit of `key` is its mod-10 check digit; `keyName` is e.g. "GTIN" or "SSCC". */
export function assertCheckDigit(keyName: string, key: string, location: Gs1CodeLocation = {}): void {
  const expected = gtinCheckDigit(key.slice(0, -1));
  const found = Number(key[key.length - 1]);
  if (expected !== found) {
    throw new InvalidGs1Code(
      `check digit of ${keyName} ${key} should be ${expected}, found ${found}`,
      location,
    );
  }
}

/** GTIN-8/12/13/14 → GTIN-14: left-padding with zeros keeps the check digit valid (GenSpecs section 3, AI (01): GTIN-8/12/13 are right-justified in 14 digits). */
export function parseGtin(input: string, location: Gs1CodeLocation = {}): string {
  if (typeof input !== 'string') throw new InvalidGs1Code('GTIN must be a string', location);
  if (!/^\d+$/.test(input)) {
    throw new InvalidGs1Code(`GTIN "${truncate(input)}" must contain only digits`, location);
  }
  if (!GTIN_LENGTHS.has(input.length)) {
    throw new InvalidGs1Code(
      `GTIN ${truncate(input)} has ${input.length} digits; expected 8, 12, 13 or 14`,
      location,
    );
  }
  assertCheckDigit('GTIN', input, location);
  return input.padStart(14, '0');
}

export function isGtinLength(digits: string): boolean {
  return GTIN_LENGTHS.has(digits.length);
}

/** Keeps error messages short when the input is huge. */
export function truncate(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
