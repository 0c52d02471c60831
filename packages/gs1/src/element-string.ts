import { AI_TABLE, aiAt, hasPredefinedLength } from './ai-table.js';
import { InvalidGs1Code } from './errors.js';
import {
  elementsOfIdentifier,
  identifierFromElements,
  type Gs1Element,
  type Gs1Identifier,
  type ParseOptions,
} from './identifier.js';

/** ASCII 29, how scanners transmit FNC1 used as a separator (GenSpecs 7.8.5). */
export const GS = '\u001d';

/**
 * Symbology identifiers (ISO/IEC 15424, as listed for GS1 data carriers in GenSpecs section 5) that
 * announce GS1 data: GS1-128, GS1 DataMatrix, GS1 QR Code, GS1 DataBar.
 */
const GS1_SYMBOLOGY_IDS = new Set([']C1', ']d2', ']Q3', ']e0']);

export function parseElementString(input: string, options: ParseOptions = {}): Gs1Identifier {
  if (typeof input !== 'string') throw new InvalidGs1Code('element string must be a string');
  if (input === '') throw new InvalidGs1Code('empty element string');
  const elements = input.startsWith('(') ? splitParenthesised(input) : splitRaw(input);
  return identifierFromElements(elements, options.now ?? new Date());
}

/**
 * Human-readable form "(01)…(17)…". A literal "(" inside a value is written "\(", as in the GS1
 * Barcode Syntax Engine's bracketed syntax; "\" is outside character set 82 so this is unambiguous.
 */
function splitParenthesised(input: string): Gs1Element[] {
  const elements: Gs1Element[] = [];
  let position = 0;
  while (position < input.length) {
    if (input[position] !== '(') throw new InvalidGs1Code(`expected "(" to open an AI`, { position });
    const close = input.indexOf(')', position);
    const ai = close < 0 ? '' : input.slice(position + 1, close);
    if (!/^\d{2,4}$/.test(ai))
      throw new InvalidGs1Code('expected an AI of 2 to 4 digits in parentheses', { position });
    if (!AI_TABLE.has(ai)) throw new InvalidGs1Code(`unknown or unsupported AI (${ai})`, { position, ai });
    const { value, end } = readParenthesisedValue(input, close + 1);
    elements.push({ ai, value, position });
    position = end;
  }
  return elements;
}

function readParenthesisedValue(input: string, start: number): { value: string; end: number } {
  let value = '';
  let index = start;
  while (index < input.length && input[index] !== '(') {
    if (input[index] === '\\' && input[index + 1] === '(') {
      value += '(';
      index += 2;
    } else {
      value += input[index];
      index += 1;
    }
  }
  return { value, end: index };
}

/** Barcode data "01…17…10…<GS>21…", optionally behind a symbology identifier (GenSpecs 7.8.5). */
function splitRaw(input: string): Gs1Element[] {
  let position = skipSymbologyIdentifier(input);
  if (input[position] === GS) position += 1; // a leading FNC1 only marks the data as GS1
  if (position >= input.length)
    throw new InvalidGs1Code('no element data after the symbology identifier', { position });
  const elements: Gs1Element[] = [];
  while (position < input.length) {
    const element = readRawElement(input, position);
    elements.push(element.element);
    position = element.end;
  }
  return elements;
}

function skipSymbologyIdentifier(input: string): number {
  if (!input.startsWith(']')) return 0;
  const id = input.slice(0, 3);
  if (!GS1_SYMBOLOGY_IDS.has(id)) {
    throw new InvalidGs1Code(`symbology identifier "${id}" is not a GS1 one (]C1, ]d2, ]Q3, ]e0)`, {
      position: 0,
    });
  }
  return 3;
}

function readRawElement(input: string, position: number): { element: Gs1Element; end: number } {
  const definition = aiAt(input, position);
  if (!definition) {
    const found = printable(input.slice(position, position + 4));
    const detail = /^\d{2}/.test(found)
      ? `unknown or unsupported AI at "${found}"`
      : `expected an AI (digits), found "${found}"`;
    throw new InvalidGs1Code(detail, { position });
  }
  const { ai } = definition;
  const start = position + ai.length;
  if (definition.minLength === definition.maxLength)
    return readFixed(input, ai, position, start, definition.maxLength);
  const separator = input.indexOf(GS, start);
  const stop = separator < 0 ? input.length : separator;
  return { element: { ai, value: input.slice(start, stop), position }, end: separator < 0 ? stop : stop + 1 };
}

/**
 * Fixed-length data ends by its length. Only AIs in the predefined-length table (Figure 7.8.5-2)
 * may be followed directly by the next AI; a redundant separator after them is tolerated.
 */
function readFixed(input: string, ai: string, position: number, start: number, length: number) {
  const value = input.slice(start, start + length);
  const separatorInside = value.indexOf(GS);
  if (value.length < length || separatorInside >= 0) {
    const found = separatorInside >= 0 ? separatorInside : value.length;
    throw new InvalidGs1Code(`AI (${ai}) needs ${length} characters, found ${found}`, { position, ai });
  }
  let end = start + length;
  if (input[end] === GS) end += 1;
  else if (end < input.length && !hasPredefinedLength(ai)) {
    throw new InvalidGs1Code(`AI (${ai}) is not of predefined length and must be followed by FNC1/GS`, {
      position,
      ai,
    });
  }
  return { element: { ai, value, position }, end };
}

function printable(text: string): string {
  return text.replace(
    /[^\x21-\x7e]/g,
    (c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

/**
 * Element string for an identifier. In the FNC1 form, predefined-length elements go first so that
 * only the variable-length ones need a GS separator (GenSpecs 7.8.5: none after predefined-length AIs).
 */
export function toElementString(id: Gs1Identifier, form: 'parentheses' | 'fnc1' = 'parentheses'): string {
  const elements = elementsOfIdentifier(id);
  if (form === 'parentheses') {
    return elements.map(({ ai, value }) => `(${ai})${value.replaceAll('(', '\\(')}`).join('');
  }
  const ordered = [
    ...elements.filter((e) => hasPredefinedLength(e.ai)),
    ...elements.filter((e) => !hasPredefinedLength(e.ai)),
  ];
  return ordered
    .map(({ ai, value }, i) => {
      const last = i === ordered.length - 1;
      return `${ai}${value}${last || hasPredefinedLength(ai) ? '' : GS}`;
    })
    .join('');
}
