/**
 * GS1 company prefixes: 6 to 12 digits (GS1 General Specifications, 1.4.4). A GTIN belongs to the
 * Brand whose prefix it starts with, so two Brands may not hold prefixes where one starts the other:
 * the owner of a GTIN would be ambiguous.
 */
export const PREFIX_PATTERN = /^\d{6,12}$/;

export function invalidPrefixes(prefixes: string[]): string[] {
  return prefixes.filter((p) => !PREFIX_PATTERN.test(p));
}

export function prefixesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/** Pairs [requested, existing] that overlap; also checks the requested prefixes among themselves. */
export function overlappingPrefixes(requested: string[], existing: string[]): [string, string][] {
  const clashes: [string, string][] = [];
  requested.forEach((p, i) => {
    for (const q of requested.slice(i + 1)) if (prefixesOverlap(p, q)) clashes.push([p, q]);
    for (const q of existing) if (prefixesOverlap(p, q)) clashes.push([p, q]);
  });
  return clashes;
}
