import { InvalidGs1Code } from './errors.js';
import { parseGtin, truncate } from './gtin.js';
import {
  QUALIFIER_ORDER,
  elementsOfIdentifier,
  identifierFromElements,
  type Gs1Element,
  type Gs1Identifier,
  type ParseOptions,
} from './identifier.js';

/** scheme://host then path, query, fragment (RFC 3986 section 3). */
const URI_PARTS = /^(https?):\/\/([^/?#]+)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/i;

/**
 * GS1 Digital Link URI, uncompressed (GS1 Digital Link URI Syntax 1.x): on any domain, with any path
 * prefix, then /01/{gtin} and the key qualifiers /22/, /10/, /21/ in that order (section 4);
 * data attributes as numeric-AI query parameters, other parameters are ignored (section 6).
 */
export function parseDigitalLink(uri: string, options: ParseOptions = {}): Gs1Identifier {
  if (typeof uri !== 'string') throw new InvalidGs1Code('Digital Link URI must be a string');
  refuseControlCharacters(uri);
  const parts = URI_PARTS.exec(uri);
  if (!parts) throw new InvalidGs1Code(`"${truncate(uri)}" is not an http(s) URI`);
  const [, scheme = '', host = '', path = '', query] = parts;
  const pathStart = scheme.length + 3 + host.length;
  const elements = pathElements(path, pathStart);
  if (query !== undefined) elements.push(...queryElements(query, pathStart + path.length + 1));
  return identifierFromElements(elements, options.now ?? new Date());
}

/**
 * A URI holds no control characters (RFC 3986 section 2: they must be percent-encoded). Checked up
 * front, because the parser skips parts of the URI (the fragment, a path prefix, non-AI query
 * parameters) that would otherwise carry them through to whoever stores the code.
 */
function refuseControlCharacters(uri: string): void {
  for (let at = 0; at < uri.length; at++) {
    const c = uri.charCodeAt(at);
    if (c >= 0x20 && c !== 0x7f) continue;
    const name = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
    throw new InvalidGs1Code(`control character ${name} in the URI; percent-encode it (RFC 3986 section 2)`, {
      position: at,
    });
  }
}

interface Segment {
  text: string;
  position: number;
}

function pathElements(path: string, offset: number): Gs1Element[] {
  const segments = splitWithPositions(path, '/', offset).slice(1); // the path starts with "/"
  const keyIndex = primaryKeyIndex(segments);
  if (keyIndex < 0)
    throw new InvalidGs1Code('the path has no primary key /01/{gtin} followed only by key qualifiers');
  const [key, gtin] = [segments[keyIndex] as Segment, segments[keyIndex + 1] as Segment];
  const elements: Gs1Element[] = [
    {
      ai: '01',
      value: parseGtin(decode(gtin, '01'), { ai: '01', position: gtin.position }),
      position: key.position,
    },
  ];
  let lastRank = -1;
  for (let i = keyIndex + 2; i < segments.length; i += 2) {
    const [ai, value] = [segments[i] as Segment, segments[i + 1] as Segment];
    const rank = (QUALIFIER_ORDER as readonly string[]).indexOf(ai.text);
    if (rank < 0) {
      throw new InvalidGs1Code(
        `path segment "${truncate(ai.text)}" is not a GTIN key qualifier (22, 10 or 21)`,
        { position: ai.position },
      );
    }
    if (rank <= lastRank) {
      throw new InvalidGs1Code(`key qualifier (${ai.text}) out of order; the order is 22, 10, 21`, {
        position: ai.position,
        ai: ai.text,
      });
    }
    lastRank = rank;
    elements.push({ ai: ai.text, value: decode(value, ai.text), position: ai.position });
  }
  return elements;
}

/**
 * The rightmost "01" segment that leaves an even number of segments (key, value, then AI/value pairs).
 * Values sit at odd offsets from the true key, so a GTIN, lot or serial spelled "01" is never taken for it,
 * while "01" segments in a custom path prefix are skipped.
 */
function primaryKeyIndex(segments: Segment[]): number {
  for (let i = segments.length - 2; i >= 0; i--) {
    if (segments[i]?.text === '01' && (segments.length - i) % 2 === 0) return i;
  }
  return -1;
}

function queryElements(query: string, offset: number): Gs1Element[] {
  const elements: Gs1Element[] = [];
  for (const parameter of splitWithPositions(query, '&', offset)) {
    if (parameter.text === '') continue;
    const equals = parameter.text.indexOf('=');
    const rawKey = equals < 0 ? parameter.text : parameter.text.slice(0, equals);
    const key = decode({ text: rawKey, position: parameter.position });
    if (!/^\d+$/.test(key)) continue; // not an AI: e.g. linkType, left to the resolver (section 6)
    if (key === '01' || (QUALIFIER_ORDER as readonly string[]).includes(key)) {
      throw new InvalidGs1Code(`AI (${key}) is part of the key and belongs in the path, not the query`, {
        position: parameter.position,
        ai: key,
      });
    }
    const value = decode(
      { text: equals < 0 ? '' : parameter.text.slice(equals + 1), position: parameter.position },
      key,
    );
    elements.push({ ai: key, value, position: parameter.position });
  }
  return elements;
}

function splitWithPositions(text: string, separator: string, offset: number): Segment[] {
  const segments: Segment[] = [];
  let position = 0;
  for (const piece of text.split(separator)) {
    segments.push({ text: piece, position: offset + position });
    position += piece.length + separator.length;
  }
  return segments;
}

/** Percent-decoding (RFC 3986 section 2.1); malformed escapes or UTF-8 are a refusal, not a URIError. */
function decode(segment: Segment, ai?: string): string {
  try {
    return decodeURIComponent(segment.text);
  } catch {
    const where = ai === undefined ? { position: segment.position } : { position: segment.position, ai };
    throw new InvalidGs1Code(`malformed percent-encoding in "${truncate(segment.text)}"`, where);
  }
}

/** Canonical-ish Digital Link: base, /01/{gtin14}, qualifiers in order, other AIs as query parameters. */
export function toDigitalLink(id: Gs1Identifier, base = 'https://id.gs1.org'): string {
  if (typeof base !== 'string' || !URI_PARTS.test(base) || /[?#]/.test(base)) {
    throw new InvalidGs1Code(
      `base "${truncate(String(base))}" must be an http(s) URI without query or fragment`,
    );
  }
  const elements = elementsOfIdentifier(id);
  const inPath = (e: Gs1Element) => e.ai === '01' || (QUALIFIER_ORDER as readonly string[]).includes(e.ai);
  const path = elements
    .filter(inPath)
    .map((e) => `/${e.ai}/${encodeURIComponent(e.value)}`)
    .join('');
  const query = elements
    .filter((e) => !inPath(e))
    .map((e) => `${e.ai}=${encodeURIComponent(e.value)}`)
    .join('&');
  return `${base.replace(/\/+$/, '')}${path}${query === '' ? '' : `?${query}`}`;
}
