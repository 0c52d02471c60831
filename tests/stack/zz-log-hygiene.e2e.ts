/**
 * The logs of the running stack, searched after every other stack test (issue 8, "Abuse"; this file
 * runs last, see vitest.config.ts): no access or refresh token, no password, no `pt_vid` cookie value,
 * no `Authorization: Bearer`, and no Health Profile contents, in any log file of any part.
 * It first does what would leak them (sign-up, sign-in, a Health Profile, failures with a token),
 * with values distinctive enough to search for.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenGrant } from '@packytrace/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { localDir, writeAbuseReport } from './abuse-report-file';
import { BRANDS, Caller, KEYCLOAK_URL, REALM, requireStack } from './support';

const logsDir = () => process.env.PT_LOG_DIR ?? join(localDir(), 'logs');

/** Limits no real profile would hold, so a hit in a log can only be this profile. */
const PROFILE = {
  allergens: ['lupin', 'molluscs', 'sesame'],
  diets: ['lactose_free', 'gluten_free'],
  limits: { sugars: 13.5791, salt: 0.24681, fat: 7.53197 },
};
const secrets = { tokens: [] as string[], passwords: [] as string[], cookies: [] as string[] };

/** Password grant that keeps the refresh token too, so both can be searched for. */
async function tokensFor(email: string, password: string): Promise<{ access: string; refresh: string }> {
  const { accessToken, refreshToken } = await tokenGrant(`${KEYCLOAK_URL}/realms/${REALM}`, email, password);
  expect(refreshToken).not.toBe('');
  return { access: accessToken, refresh: refreshToken };
}

beforeAll(async () => {
  await requireStack();
  const caller = new Caller();
  await caller.get('/api/v1/verdict-rules');
  secrets.cookies.push(caller.cookie!.slice('pt_vid='.length));
  const email = `stack-loghygiene-${randomUUID()}@example.test`;
  const password = `PtAbuse-Secret-${randomUUID()}`;
  secrets.passwords.push(password);
  // A refused registration first (the body reaches the service and its validation), then the real one.
  await caller.post('/api/v1/accounts', { email: 'not-an-email', password });
  await caller.post('/api/v1/accounts', { email, password: 'short' });
  expect(
    (await caller.post('/api/v1/accounts', { email, password, displayName: 'Log Hygiene' })).status,
  ).toBe(201);
  const { access, refresh } = await tokensFor(email, password);
  secrets.tokens.push(access, refresh);
  caller.token = access;
  expect((await caller.put('/api/v1/me/consents/health_profile', { granted: true })).status).toBe(200);
  expect((await caller.put('/api/v1/me/profile', PROFILE)).status).toBe(200);
  expect((await caller.get('/api/v1/me/profile')).status).toBe(200);
  await caller.put('/api/v1/me/profile', { ...PROFILE, limits: { ...PROFILE.limits, salt: -1 } }); // refused
  await caller.post('/api/v1/scans', { code: '05701234000013' });
  await caller.get('/api/v1/brand/products'); // 403: a shopper's token on a Brand route
  // A tampered token, a refresh token used as an access token, and a token on a route that does not exist.
  const tampered = `${access.slice(0, -4)}AAAA`;
  await new Caller().get('/api/v1/me', { authorization: `Bearer ${tampered}` });
  await new Caller().get('/api/v1/me', { authorization: `Bearer ${refresh}` });
  await caller.get('/api/v1/no-such-route');
  const brand = await tokensFor(BRANDS.nordhavn.email, BRANDS.nordhavn.password);
  secrets.tokens.push(brand.access, brand.refresh);
  await new Caller().get('/api/v1/brand/metrics?from=yesterday', { authorization: `Bearer ${brand.access}` });
  // Loggers write asynchronously; give the last lines a moment to reach the files.
  await new Promise((r) => setTimeout(r, 1_500));
});

/** Where a finding sits in its line, the match itself cut to its first characters: enough to tell a leak from a look-alike. */
function excerpt(line: string, pattern: RegExp): string {
  const match = pattern.exec(line)!;
  const before = line.slice(Math.max(0, match.index - 60), match.index);
  const after = line.slice(match.index + match[0].length, match.index + match[0].length + 40);
  return `…${before}[${match[0].slice(0, 8)}… ${match[0].length} chars]${after}…`;
}

describe('log hygiene', () => {
  it('finds no token, password, cookie or Health Profile in any log of the stack', () => {
    const dir = logsDir();
    expect(existsSync(dir), `no logs in ${dir}`).toBe(true);
    const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
    expect(files.length).toBeGreaterThan(0);
    const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const searches: [what: string, pattern: RegExp][] = [
      ['a JWT (access, refresh or ID token)', /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/],
      ...secrets.tokens.map((t, i): [string, RegExp] => [
        `token ${i} issued in this test`,
        new RegExp(literal(t.slice(-40))),
      ]),
      ['a password used by the stack tests', /PtAbuse-Secret-[0-9a-f-]{8,}|Pt-[0-9a-f]{8}-Aa1!/],
      ...Object.values(BRANDS).map((b): [string, RegExp] => [
        'a demo Brand password',
        new RegExp(literal(b.password)),
      ]),
      ['a pt_vid cookie', /pt_vid=[0-9a-f]{8}-/],
      ...secrets.cookies.map((c): [string, RegExp] => [
        'the pt_vid value of this test',
        new RegExp(literal(c)),
      ]),
      [
        'an Authorization: Bearer header',
        /bearer\s+[A-Za-z0-9._~+/-]{16,}|"authorization"\s*:\s*"(?!\[redacted\])/i,
      ],
      // Whole numbers only: the digits also turn up inside other floats (a response time of 10.2468123 ms).
      ['Health Profile limits', /(?<![\d.])(?:13\.5791|0\.24681|7\.53197)(?![\d.])/],
      ['a Health Profile diet list', /"diets"\s*:\s*\[/],
    ];
    const findings: string[] = [];
    let bytes = 0;
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      bytes += text.length;
      const lines = text.split('\n');
      for (const [what, pattern] of searches) {
        const line = lines.findIndex((l) => pattern.test(l));
        if (line >= 0) findings.push(`${file}:${line + 1}: ${what}: ${excerpt(lines[line]!, pattern)}`);
      }
    }
    writeAbuseReport('log-hygiene', { files: files.length, bytes, searches: searches.length, findings });
    console.log(
      `log hygiene: ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB, ${searches.length} searches, ${findings.length} findings`,
    );
    expect(findings, findings.join('\n')).toEqual([]);
  });
});
