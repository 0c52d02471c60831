import Format, { IsDateTime } from 'typebox/format';

/*
 * Faster checks for the two formats every event carries (`uuid`: RFC 9562; `date-time`: RFC 3339).
 * TypeBox's own checks are regular expressions and splits; on a consumer reading tens of thousands
 * of events per second they were the largest part of the contract check. `uuid` is the same pattern
 * checked character by character; `date-time` checks only the spelling `toISOString` writes, with
 * TypeBox's rules, and hands every other string to TypeBox's own check. Exactly the same strings are
 * accepted
 * (services/measurement/test/events/event-formats.property.test.ts compares both on random and
 * mutated strings).
 */

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const isDigit = (c: number) => c >= 48 && c <= 57;

/** 8-4-4-4-12 hexadecimal digits, either case, as TypeBox's `uuid` pattern. */
export function isUuid(value: string): boolean {
  if (value.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!isHex(c)) return false;
  }
  return true;
}

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const twoDigits = (value: string, at: number) =>
  (value.charCodeAt(at) - 48) * 10 + value.charCodeAt(at + 1) - 48;

/** `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, what `Date.prototype.toISOString` writes; checked in full here. */
function isUtcDateTime(value: string): boolean {
  const length = value.length;
  if (length < 20) return false;
  for (const at of [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
    if (!isDigit(value.charCodeAt(at))) return false;
  if (value[4] !== '-' || value[7] !== '-' || (value[10] !== 'T' && value[10] !== 't')) return false;
  if (value[13] !== ':' || value[16] !== ':') return false;
  const last = value[length - 1];
  if (last !== 'Z' && last !== 'z') return false;
  if (length > 20) {
    if (value[19] !== '.' || length === 21) return false;
    for (let i = 20; i < length - 1; i++) if (!isDigit(value.charCodeAt(i))) return false;
  }
  const year = Number(value.slice(0, 4));
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 && isLeapYear(year) ? 29 : DAYS[month]!))
    return false;
  // Seconds = 60 (a leap second) is left to TypeBox, which checks it falls on 23:59 UTC.
  return twoDigits(value, 11) <= 23 && twoDigits(value, 14) <= 59 && twoDigits(value, 17) <= 59;
}

export function isDateTime(value: string): boolean {
  return isUtcDateTime(value) || IsDateTime(value);
}

/** TypeBox compiles the format function into each validator, so this runs before any `Compile`. */
Format.Set('uuid', isUuid);
Format.Set('date-time', isDateTime);
