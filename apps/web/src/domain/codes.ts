/**
 * Light clean-up of what a person typed or pasted before it goes to POST /api/v1/scans. The server
 * decides validity (it answers `invalid_gs1_code` with what is wrong); here we only remove what
 * people add by habit: spaces and dashes in a GTIN, surrounding whitespace, and the "<GS>" that some
 * scanner apps print for the FNC1 separator (GS1 General Specifications, 7.8.5.2).
 */
export function normalizeTypedCode(input: string): string {
  const trimmed = input.trim();
  if (/^[\d\s-]+$/.test(trimmed)) return trimmed.replace(/[\s-]/g, '');
  if (/^https?:\/\//i.test(trimmed)) return trimmed.replace(/\s+/g, '');
  return trimmed.replace(/<GS>/gi, '\u001d');
}

/** What kind of code the text looks like, to label it for the user; not a validation. */
export function describeCodeKind(code: string): 'gtin' | 'digital_link' | 'element_string' | 'unknown' {
  if (/^\d{8}$|^\d{12,14}$/.test(code)) return 'gtin';
  if (/^https?:\/\/\S+\/01\/\d{8,14}/i.test(code)) return 'digital_link';
  if (/^\(\d{2,4}\)/.test(code) || /^\]?[A-Za-z]?\d?01\d{14}/.test(code) || code.includes('\u001d'))
    return 'element_string';
  return 'unknown';
}
