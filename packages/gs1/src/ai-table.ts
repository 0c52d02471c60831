/**
 * Application Identifiers we accept, with formats from GS1 General Specifications section 3 (AI definitions)
 * and the format notation of 3.1 (N = digits, X = GS1 AI encodable character set 82, GenSpecs 7.11).
 */
export type Charset = 'N' | 'X';
export type ValueKind = 'plain' | 'date' | 'dateTime';

export interface AiDefinition {
  ai: string;
  title: string;
  charset: Charset;
  minLength: number;
  maxLength: number;
  /** The last digit is a mod-10 check digit (GenSpecs 7.9.1). */
  checkDigit?: 'GTIN' | 'SSCC';
  kind: ValueKind;
}

function fixed(ai: string, title: string, length: number, extra: Partial<AiDefinition> = {}): AiDefinition {
  return { ai, title, charset: 'N', minLength: length, maxLength: length, kind: 'plain', ...extra };
}

function variable(ai: string, title: string, charset: Charset, maxLength: number): AiDefinition {
  return { ai, title, charset, minLength: 1, maxLength, kind: 'plain' };
}

function date(ai: string, title: string): AiDefinition {
  return fixed(ai, title, 6, { kind: 'date' });
}

const definitions: AiDefinition[] = [
  fixed('00', 'SSCC', 18, { checkDigit: 'SSCC' }),
  fixed('01', 'GTIN', 14, { checkDigit: 'GTIN' }),
  fixed('02', 'CONTENT', 14, { checkDigit: 'GTIN' }),
  variable('10', 'BATCH/LOT', 'X', 20),
  date('11', 'PROD DATE'),
  date('12', 'DUE DATE'),
  date('13', 'PACK DATE'),
  date('15', 'BEST BEFORE'),
  date('16', 'SELL BY'),
  date('17', 'USE BY OR EXPIRY'),
  variable('21', 'SERIAL', 'X', 20),
  variable('22', 'CPV', 'X', 20),
  variable('30', 'VAR. COUNT', 'N', 8),
  // 310n–316n trade measures, n = number of decimals (0–5)
  ...measures(['310', '311', '312', '313', '314', '315', '316'], 6),
  variable('37', 'COUNT', 'N', 8),
  // 392n amount payable, n = number of decimals (0–9)
  ...Array.from({ length: 10 }, (_, n) => variable(`392${n}`, 'PRICE', 'N', 15)),
  // ISO 3166 numeric; fixed length but not in the predefined-length table, so it needs a separator
  fixed('422', 'ORIGIN', 3),
  // N8+N..4: YYMMDDHH then optional minutes and seconds
  { ai: '8008', title: 'PROD TIME', charset: 'N', minLength: 8, maxLength: 12, kind: 'dateTime' },
];

function measures(prefixes: string[], length: number): AiDefinition[] {
  return prefixes.flatMap((prefix) =>
    Array.from({ length: 6 }, (_, n) => fixed(`${prefix}${n}`, 'NET WEIGHT/LENGTH/AREA/VOLUME', length)),
  );
}

export const AI_TABLE: ReadonlyMap<string, AiDefinition> = new Map(definitions.map((d) => [d.ai, d]));

/**
 * GenSpecs Figure 7.8.5-2: AIs whose first two digits are listed here have a predefined total length
 * (AI + data), so no FNC1/GS separator is needed after them. Every other AI, even a fixed-length one
 * like 422, must be followed by a separator unless it is the last element.
 */
const PREDEFINED_LENGTH: ReadonlyMap<string, number> = new Map([
  ['00', 20],
  ['01', 16],
  ['02', 16],
  ['03', 16],
  ['04', 18],
  ['11', 8],
  ['12', 8],
  ['13', 8],
  ['14', 8],
  ['15', 8],
  ['16', 8],
  ['17', 8],
  ['18', 8],
  ['19', 8],
  ['20', 4],
  ['31', 10],
  ['32', 10],
  ['33', 10],
  ['34', 10],
  ['35', 10],
  ['36', 10],
  ['41', 16],
]);

export function hasPredefinedLength(ai: string): boolean {
  return PREDEFINED_LENGTH.has(ai.slice(0, 2));
}

/** AIs are prefix-free (GenSpecs 3.1), so at most one table entry matches the digits at `position`. */
export function aiAt(text: string, position: number): AiDefinition | undefined {
  for (const length of [2, 3, 4]) {
    const candidate = text.slice(position, position + length);
    const definition = AI_TABLE.get(candidate);
    if (definition) return definition;
  }
  return undefined;
}

/** Index of the first character outside the AI's character set, or -1. X = GS1 AI encodable character set 82 (GenSpecs 7.11, Figure 7.11-1). */
export function firstInvalidCharacter(value: string, charset: Charset): number {
  const allowed = charset === 'N' ? /^[0-9]$/ : /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]$/;
  for (let i = 0; i < value.length; i++) {
    if (!allowed.test(value[i] as string)) return i;
  }
  return -1;
}
