/**
 * GS1 dates YYMMDD (GS1 General Specifications 7.12).
 * Returns the date as YYYY-MM-DD, or a reason string when the value is not a valid date.
 */
export type DateResult = { ok: true; iso: string } | { ok: false; reason: string };

export interface DateRules {
  /** DD = 00 means "last day of the month" for the YYMMDD AIs of section 3.4 (11, 12, 13, 15, 16, 17). */
  dayZeroIsEndOfMonth: boolean;
}

export function decodeGs1Date(yymmdd: string, now: Date, rules: DateRules): DateResult {
  if (!/^\d{6}$/.test(yymmdd)) return { ok: false, reason: 'must be 6 digits YYMMDD' };
  const year = centuryFor(Number(yymmdd.slice(0, 2)), now);
  const month = Number(yymmdd.slice(2, 4));
  let day = Number(yymmdd.slice(4, 6));
  if (month < 1 || month > 12) return { ok: false, reason: `month ${pad2(month)} out of range` };
  const lastDay = daysInMonth(year, month);
  if (day === 0 && rules.dayZeroIsEndOfMonth) day = lastDay;
  if (day < 1 || day > lastDay) {
    return { ok: false, reason: `day ${pad2(day)} out of range for ${pad4(year)}-${pad2(month)}` };
  }
  return { ok: true, iso: `${pad4(year)}-${pad2(month)}-${pad2(day)}` };
}

/**
 * GenSpecs 7.12 century rule: with D = YY − (current year mod 100),
 * 51 ≤ D ≤ 99 → previous century, −99 ≤ D ≤ −50 → next century, otherwise the current century.
 */
export function centuryFor(yy: number, now: Date): number {
  const currentYear = now.getUTCFullYear();
  const currentYy = currentYear % 100;
  const currentCentury = currentYear - currentYy;
  const difference = yy - currentYy;
  if (difference >= 51) return currentCentury - 100 + yy;
  if (difference <= -50) return currentCentury + 100 + yy;
  return currentCentury + yy;
}

export function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0); // day 0 of the next month = last day of this one
  return date.getUTCDate();
}

/** YYYY-MM-DD → YYMMDD, or undefined if the text is not a calendar date. */
export function encodeGs1Date(iso: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) return undefined;
  const [, year, month, day] = match as unknown as [string, string, string, string];
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(Number(year), m)) return undefined;
  return `${year.slice(2)}${month}${day}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function pad4(n: number): string {
  return String(n).padStart(4, '0');
}
