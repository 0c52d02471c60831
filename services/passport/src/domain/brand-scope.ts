/**
 * Whether a GTIN-14 belongs to one of a Brand's GS1 company prefixes. The first digit of a GTIN-14 is
 * the indicator digit (0 for a GTIN-13 padded to 14); the company prefix starts right after it
 * (GS1 General Specifications §3.3.2, GTIN-14 = indicator + GTIN-13 without its check digit + check digit).
 */
export function gtinInScope(gtin14: string, prefixes: readonly string[]): boolean {
  const withoutIndicator = gtin14.slice(1);
  return prefixes.some((prefix) => prefix.length >= 6 && withoutIndicator.startsWith(prefix));
}
