import { parseDigitalLink } from './digital-link.js';
import { parseElementString } from './element-string.js';
import { InvalidGs1Code } from './errors.js';
import { isGtinLength, parseGtin } from './gtin.js';
import type { Gs1Identifier, ParseOptions } from './identifier.js';

export { parseDigitalLink, toDigitalLink } from './digital-link.js';
export { GS, parseElementString, toElementString } from './element-string.js';
export { firstInvalidCharacter } from './ai-table.js';
export { InvalidGs1Code } from './errors.js';
export { gtinCheckDigit, parseGtin } from './gtin.js';
export type { Gs1Identifier, ParseOptions } from './identifier.js';

/** Longer than any GS1 barcode can carry (a QR Code holds at most 7089 digits); refuse before parsing. */
const MAX_CODE_LENGTH = 8192;

/**
 * Accepts what a scanner or a user may send: bare GTIN-8/12/13/14 digits, a GS1 Digital Link URI,
 * or an element string (parenthesised, or raw with FNC1/GS separators and an optional symbology id).
 * Surrounding whitespace (a scanner's CR/LF) is ignored; positions refer to the trimmed code.
 */
export function parseProductCode(input: string, options: ParseOptions = {}): Gs1Identifier {
  if (typeof input !== 'string') throw new InvalidGs1Code('code must be a string');
  const code = input.trim();
  if (code === '') throw new InvalidGs1Code('empty code');
  if (code.length > MAX_CODE_LENGTH)
    throw new InvalidGs1Code(`code is longer than ${MAX_CODE_LENGTH} characters`);
  if (/^\d+$/.test(code) && isGtinLength(code)) {
    const gtin = parseGtin(code);
    return { gtin, attributes: { '01': gtin } };
  }
  // Only digits, and too short to be an element string with a GTIN ((01) + 14 digits): a mistyped GTIN.
  if (/^\d+$/.test(code) && code.length < 16) {
    throw new InvalidGs1Code(`a GTIN has 8, 12, 13 or 14 digits; ${code} has ${code.length}`);
  }
  if (/^https?:\/\//i.test(code)) return parseDigitalLink(code, options);
  return parseElementString(code, options);
}
