/* eslint-disable @typescript-eslint/no-explicit-any -- JSON schemas and replies of any route */
/**
 * Helpers for the abuse tests: the gateway's OpenAPI document turned into fast-check inputs, a raw
 * HTTP client that sends paths exactly as written (fetch would resolve `../`), and the checks every
 * reply must pass (no 5xx, problem+json errors, nothing internal in the body).
 */
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { GATEWAY } from './support';

export interface JsonSchema {
  type?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  $ref?: string;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
}

export interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: JsonSchema;
}

/** Every operation of the aggregated document (GET /api/docs/openapi.json). */
export async function publicOperations(): Promise<Operation[]> {
  const response = await fetch(`${GATEWAY}/api/docs/openapi.json`);
  if (!response.ok) throw new Error(`openapi.json → ${response.status}`);
  const doc = (await response.json()) as any;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths ?? {})) {
    for (const [method, op] of Object.entries<any>(item)) {
      if (!['get', 'put', 'post', 'delete', 'patch'].includes(method)) continue;
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []) as Parameter[],
        body: op.requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  return operations;
}

// ---------------------------------------------------------------------------------------------
// Inputs

const text = (maxLength: number, minLength = 0) =>
  fc.oneof(
    fc.string({ minLength, maxLength }),
    fc.string({ minLength, maxLength, unit: 'grapheme' }),
    fc.string({ minLength, maxLength, unit: 'binary' }),
  );

/** The strings an attacker tries first; every one must be refused or stored inertly. */
export const INJECTIONS = [
  "' OR 1=1--",
  "'; DROP TABLE x;--",
  '" OR ""="',
  '\r\nX-Injected: 1',
  '%0d%0aX-Injected:%201',
  '../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '__proto__',
  'constructor',
  'prototype',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '\u0000',
] as const;

/** Strings, numbers as text, huge and empty values, unicode, and the injection strings. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  text(40),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    '-0',
    'NaN',
    'null',
    'true',
    '[]',
    '{}',
    '%',
    '%zz',
    '9'.repeat(400),
    String(Number.MAX_SAFE_INTEGER) + '1',
    '😀'.repeat(60),
    'ǅ\u202e\u200b\ufeff',
    'a'.repeat(5_000),
    ...INJECTIONS,
  ),
  fc.bigInt().map(String),
  fc.double().map(String),
);

/** Values of the schema (valid-ish: within its types, enums, patterns and bounds, short strings). */
export function validValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(validValue));
  switch (schema.type) {
    case 'string':
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'date-time')
        return fc
          .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString());
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      return text(Math.min(schema.maxLength ?? 40, 40), schema.minLength ?? 0);
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1e6,
        max: schema.maximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6 });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const options = { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 5, 5) };
      const items = validValue(schema.items ?? {});
      return schema.uniqueItems
        ? fc.uniqueArray(items, { ...options, selector: (v) => JSON.stringify(v) })
        : fc.array(items, options);
    }
    case 'object': {
      const properties = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, validValue(v)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in properties) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Bodies that break the schema: wrong types, missing or extra keys, any JSON, or no JSON at all. */
export function invalidBody(schema: JsonSchema): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const wrong = fc.oneof(
    hostileString,
    fc.integer(),
    fc.double(),
    fc.constant(null),
    fc.boolean(),
    fc.array(hostileString, { maxLength: 3 }),
    fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
  );
  const arbitraries: fc.Arbitrary<unknown>[] = [
    fc.jsonValue({ maxDepth: 3 }),
    text(60).map((raw) => ({ raw })),
    validValue(schema).chain((value) =>
      fc.tuple(hostileString, fc.jsonValue({ maxDepth: 2 })).map(([key, extra]) => ({
        ...(value as object),
        [key]: extra,
      })),
    ),
  ];
  const keys = Object.keys(properties);
  if (keys.length > 0) {
    arbitraries.push(
      fc
        .tuple(validValue(schema), fc.constantFrom(...keys), wrong)
        .map(([value, key, bad]) => ({ ...(value as object), [key]: bad })),
    );
    arbitraries.push(
      fc
        .tuple(validValue(schema), fc.constantFrom(...keys))
        .map(([value, key]) =>
          Object.fromEntries(Object.entries(value as object).filter(([k]) => k !== key)),
        ),
    );
  }
  return fc.oneof(...arbitraries);
}

/** Percent-encodes every byte but the unreserved ones (lone surrogates become U+FFFD, as in UTF-8). */
export function encodePathSegment(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  contentType: string;
  text: string;
  body: any;
}

/**
 * One request with the path sent byte for byte as given (no URL normalisation), through a new
 * connection. A body that is `{ raw }` is sent as that text, any other value as JSON.
 */
export function rawRequest(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<RawReply> {
  const url = new URL(GATEWAY);
  let payload: Buffer | undefined;
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) {
    const raw = (options.body as { raw?: unknown } | null)?.raw;
    payload = Buffer.from(typeof raw === 'string' ? raw : JSON.stringify(options.body));
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            // not JSON: kept as text
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            contentType: String(res.headers['content-type'] ?? ''),
            text,
            body,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.end(payload);
  });
}

// ---------------------------------------------------------------------------------------------
// Checks

/** What must never appear in a reply body: stack frames, addresses, SQL, internal names. */
export const INTERNAL_LEAKS: [name: string, pattern: RegExp][] = [
  ['stack frame', /\n\s+at |\bat [\w.<>$]+ \([^)]*:\d+:\d+\)|\.(?:ts|js|mjs):\d+:\d+/],
  ['internal address', /\b(?:127\.0\.0\.1|localhost|0\.0\.0\.0):\d{2,5}\b/],
  ['node_modules', /node_modules/],
  ['connection error', /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|UND_ERR_/],
  [
    'SQL text',
    /\b(?:SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM)\b|syntax error at or near|violates (?:unique|foreign key|check|not-null) constraint|invalid input syntax for type|duplicate key value|relation "[^"]+"/i,
  ],
  [
    'schema or table name',
    /\b(?:identity|passport|personalization|fridge|measurement|brand_analytics|public)\.(?:[a-z_]+s|outbox\w*|\w+_events?)\b|\b\w+_svc\b/,
  ],
  [
    'internal service name',
    /\b(?:identity|passport|personalization|fridge|measurement|brand-analytics)-service\b/,
  ],
  ['error class', /\b(?:TypeError|ReferenceError|SyntaxError|RangeError|DatabaseError|FastifyError): /],
  ['internal header or setting', /x-internal-token|\bPT_[A-Z_]{4,}/],
];

export interface Violation {
  route: string;
  request: string;
  status: number;
  problem: string;
}

/** Every problem of one reply (empty when it is fine). */
export function problemsOf(reply: RawReply): string[] {
  const problems: string[] = [];
  if (reply.status >= 500) problems.push(`status ${reply.status}`);
  if (reply.status >= 400) {
    if (!/^application\/problem\+json/.test(reply.contentType))
      problems.push(`error content-type "${reply.contentType}"`);
    const code = (reply.body as { code?: unknown } | null)?.code;
    if (typeof code !== 'string' || !/^[a-z][a-z0-9_]*$/.test(code)) problems.push('error without a code');
  }
  for (const [name, pattern] of INTERNAL_LEAKS) {
    const hit = pattern.exec(reply.text);
    if (hit) problems.push(`${name} in body: ${JSON.stringify(hit[0])}`);
  }
  if ('x-injected' in reply.headers) problems.push('injected response header');
  return problems;
}

/** Shortens a request for a report line. */
export const brief = (value: unknown, max = 160): string => {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s === undefined ? 'undefined' : s.length > max ? `${s.slice(0, max)}…(${s.length})` : s;
};
