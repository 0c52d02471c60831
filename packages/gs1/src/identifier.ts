import { AI_TABLE, firstInvalidCharacter, type AiDefinition } from './ai-table.js';
import { decodeGs1Date, encodeGs1Date } from './dates.js';
import { InvalidGs1Code } from './errors.js';
import { assertCheckDigit, parseGtin, truncate } from './gtin.js';

/** A product identified by its GTIN, with the AIs that qualify or describe it. */
export interface Gs1Identifier {
  gtin: string;
  batch?: string;
  serial?: string;
  /** AI (17), YYYY-MM-DD */
  expiry?: string;
  /** AI (15), YYYY-MM-DD */
  bestBefore?: string;
  /** AI (22) consumer product variant */
  cpv?: string;
  /** Every AI as parsed: AI → raw value (dates stay YYMMDD). */
  attributes: Record<string, string>;
}

export interface ParseOptions {
  /** Reference date for the GS1 century rule (GenSpecs 7.12); defaults to the current date. */
  now?: Date;
}

/** One AI and its value, with the index in the input where the element starts. */
export interface Gs1Element {
  ai: string;
  value: string;
  position?: number;
}

/** Checks an element's value against its AI definition; returns the decoded date for date AIs. */
export function validateElement(element: Gs1Element, now: Date): string | undefined {
  const definition = AI_TABLE.get(element.ai);
  const location = {
    ai: element.ai,
    ...(element.position === undefined ? {} : { position: element.position }),
  };
  if (!definition)
    throw new InvalidGs1Code(`unknown or unsupported AI (${truncate(element.ai, 8)})`, location);
  const fail = (detail: string): never => {
    throw new InvalidGs1Code(`AI (${element.ai}) ${detail}`, location);
  };
  checkLength(definition, element.value, fail);
  const bad = firstInvalidCharacter(element.value, definition.charset);
  if (bad >= 0) {
    const expected = definition.charset === 'N' ? 'digits only' : 'GS1 character set 82';
    fail(
      `value "${truncate(element.value)}" has ${describeChar(element.value, bad)} at offset ${bad}; expected ${expected}`,
    );
  }
  if (definition.checkDigit) assertCheckDigit(definition.checkDigit, element.value, location);
  if (definition.kind === 'date') return decodeDateOrFail(element.value, now, fail, true);
  if (definition.kind === 'dateTime') checkDateTime(element.value, now, fail);
  return undefined;
}

function checkLength(definition: AiDefinition, value: string, fail: (d: string) => never): void {
  const { minLength, maxLength } = definition;
  if (value.length >= minLength && value.length <= maxLength) return;
  if (minLength === maxLength) fail(`needs ${maxLength} characters, found ${value.length}`);
  fail(`needs ${minLength} to ${maxLength} characters, found ${value.length}`);
}

function decodeDateOrFail(yymmdd: string, now: Date, fail: (d: string) => never, dayZero: boolean): string {
  const result = decodeGs1Date(yymmdd, now, { dayZeroIsEndOfMonth: dayZero });
  if (!result.ok) return fail(`date ${yymmdd}: ${result.reason}`);
  return result.iso;
}

/** AI (8008) YYMMDDHH[MM[SS]]: a real day (no DD=00), hours 00–23, minutes and seconds 00–59. */
function checkDateTime(value: string, now: Date, fail: (d: string) => never): void {
  if (value.length % 2 !== 0) fail(`date-time ${value}: minutes and seconds come in pairs of digits`);
  decodeDateOrFail(value.slice(0, 6), now, fail, false);
  const limits: Array<[string, number]> = [
    ['hour', 23],
    ['minute', 59],
    ['second', 59],
  ];
  limits.forEach(([unit, max], i) => {
    const part = value.slice(6 + 2 * i, 8 + 2 * i);
    if (part !== '' && Number(part) > max) fail(`date-time ${value}: ${unit} ${part} out of range`);
  });
}

function describeChar(value: string, index: number): string {
  const code = value.codePointAt(index) ?? 0;
  const printable = code > 0x20 && code < 0x7f;
  return printable ? `'${value[index]}'` : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Builds the identifier from validated elements; a product code must carry a GTIN, AI (01). */
export function identifierFromElements(elements: Gs1Element[], now: Date): Gs1Identifier {
  const attributes: Record<string, string> = {};
  const dates = new Map<string, string>();
  for (const element of elements) {
    const location = {
      ai: element.ai,
      ...(element.position === undefined ? {} : { position: element.position }),
    };
    if (Object.hasOwn(attributes, element.ai))
      throw new InvalidGs1Code(`AI (${element.ai}) appears more than once`, location);
    const iso = validateElement(element, now);
    if (iso !== undefined) dates.set(element.ai, iso);
    attributes[element.ai] = element.value;
  }
  const gtin = attributes['01'];
  if (gtin === undefined) throw new InvalidGs1Code('no GTIN: the code has no AI (01)');
  return {
    gtin,
    ...optional('cpv', attributes['22']),
    ...optional('batch', attributes['10']),
    ...optional('serial', attributes['21']),
    ...optional('expiry', dates.get('17')),
    ...optional('bestBefore', dates.get('15')),
    attributes,
  };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** GTIN first, then its key qualifiers in Digital Link order (22, 10, 21), then the other AIs. */
export const QUALIFIER_ORDER = ['22', '10', '21'] as const;

/**
 * The elements an identifier stands for, validated. Named fields win over `attributes`; a date field
 * keeps the raw attribute when that encodes the same date (e.g. DD=00 for the month's last day).
 */
export function elementsOfIdentifier(id: Gs1Identifier, now: Date = new Date()): Gs1Element[] {
  if (typeof id !== 'object' || id === null) throw new InvalidGs1Code('identifier must be an object');
  const values = new Map<string, string>(Object.entries(id.attributes ?? {}));
  values.set('01', parseGtin(id.gtin, { ai: '01' }));
  setIfDefined(values, '22', id.cpv);
  setIfDefined(values, '10', id.batch);
  setIfDefined(values, '21', id.serial);
  setIfDefined(
    values,
    '17',
    id.expiry === undefined ? undefined : rawDate('expiry', id.expiry, values.get('17')),
  );
  setIfDefined(
    values,
    '15',
    id.bestBefore === undefined ? undefined : rawDate('bestBefore', id.bestBefore, values.get('15')),
  );
  const leading = ['01', ...QUALIFIER_ORDER].filter((ai) => values.has(ai));
  const rest = [...values.keys()].filter((ai) => !leading.includes(ai));
  const elements = [...leading, ...rest].map((ai) => ({ ai, value: values.get(ai) as string }));
  identifierFromElements(elements, now);
  return elements;
}

function setIfDefined(values: Map<string, string>, ai: string, value: string | undefined): void {
  if (value !== undefined) values.set(ai, value);
}

function rawDate(field: string, iso: string, raw: string | undefined): string {
  const encoded = typeof iso === 'string' ? encodeGs1Date(iso) : undefined;
  if (encoded === undefined)
    throw new InvalidGs1Code(`${field} "${truncate(String(iso))}" is not a YYYY-MM-DD date`);
  const sameMonthEnd = raw !== undefined && raw === `${encoded.slice(0, 4)}00` && isLastDayOfMonth(iso);
  return sameMonthEnd ? raw : encoded;
}

function isLastDayOfMonth(iso: string): boolean {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  const next = new Date(0);
  next.setUTCFullYear(year, month - 1, day + 1);
  return next.getUTCDate() === 1;
}
