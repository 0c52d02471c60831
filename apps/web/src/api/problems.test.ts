import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasSentence, problemSentence, problemSentenceWithDetail } from './problems';

const repoRoot = new URL('../../../../', import.meta.url).pathname;

/** Every problem `code` a service under services/ can answer with, read from its source. */
function serviceProblemCodes(): Set<string> {
  const codes = new Set<string>();
  const helper =
    /(?:badRequest|unauthorized|forbidden|notFound|conflict|serviceUnavailable)\(\s*'([a-z_]+)'/g;
  const explicit = /new Problem\(\s*\d{3},\s*'([a-z_]+)'/g;
  const multiline = /new Problem\(\s*\d{3},\s*\n\s*'([a-z_]+)'/g;
  const thrownLiteral = /(?:forbidden|serviceUnavailable)\(\s*\n\s*'([a-z_]+)'/g;
  for (const file of sourceFiles(join(repoRoot, 'services'))) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of [helper, explicit, multiline, thrownLiteral])
      for (const m of text.matchAll(pattern)) codes.add(m[1]!);
  }
  return codes;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'test' ? [] : sourceFiles(path);
    return /\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Codes a shopper or Brand user of the app never meets: internal routes and the platform admin's API. */
const NOT_FOR_THE_APP = new Set([
  'internal_only',
  'untrusted_identity',
  'brand_name_taken',
  'invalid_brand_name',
  'prefix_overlap',
  'invalid_gs1_company_prefix',
  'unsupported_media_type',
]);

describe('problem sentences', () => {
  it('a known code becomes its sentence, whatever the detail says', () => {
    expect(problemSentence({ status: 409, code: 'email_taken', detail: 'duplicate key' })).toBe(
      'An account with this email already exists. Sign in instead.',
    );
  });

  it('an unknown code falls back to the detail, as a sentence', () => {
    expect(
      problemSentence({ status: 422, code: 'batch_too_long', detail: 'batch has more than 20 characters' }),
    ).toBe('Batch has more than 20 characters.');
  });

  it('an unknown code without detail is described by its status', () => {
    expect(problemSentence({ status: 503, code: 'something_new' })).toMatch(/unavailable/);
    expect(problemSentence({ status: 403 })).toMatch(/allowed/);
    expect(problemSentence({ status: 418 })).toBe('That request could not be completed.');
  });

  it('an invalid GS1 code keeps the service detail that says what is wrong', () => {
    const sentence = problemSentenceWithDetail({
      status: 400,
      code: 'invalid_gs1_code',
      detail: 'check digit should be 3',
    });
    expect(sentence).toBe(
      "That code isn't a valid GTIN, GS1 Digital Link or GS1 element string. Check digit should be 3.",
    );
  });

  it('a product missing from the catalog is said plainly', () => {
    expect(
      problemSentenceWithDetail({ status: 404, code: 'product_not_found', detail: 'GTIN 0400...' }),
    ).toBe("This product isn't in the PackyTrace catalog yet.");
  });

  it('has a sentence for every code the services answer the app with', () => {
    const codes = serviceProblemCodes();
    // The scan of the sources works: the codes named in the app's brief are among those found.
    for (const code of [
      'insufficient_quantity',
      'not_undoable',
      'consent_required',
      'identity_unavailable',
      'outside_brand_scope',
      'idempotency_key_reused',
    ]) {
      expect(codes).toContain(code);
    }
    const missing = [...codes].filter((code) => !NOT_FOR_THE_APP.has(code) && !hasSentence(code));
    expect(missing).toEqual([]);
  });
});
