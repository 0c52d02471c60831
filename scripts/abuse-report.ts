/**
 * The abuse report (`npm run test:abuse`, issue 8): the role isolation matrix and the JWT attacks of
 * the earlier issues, then the abuse tests against the running stack (fuzzing, injection, limits, the
 * log search last), as one report with counts per category. Needs the dev infrastructure and a
 * running stack (`npm run services` or `npm start`). Writes `.local/abuse/report.json` and
 * `.local/abuse/report.md`, prints the markdown, and exits non-zero when any test failed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = join(root, '.local', 'abuse');
const gateway = (process.env.PT_GATEWAY_URL ?? 'http://localhost:8080').replace(/\/$/, '');

/** Categories of the report: the test files behind each one, and the vitest config that runs them. */
const categories = [
  {
    name: 'Role isolation matrix (database roles)',
    config: 'vitest.config.ts',
    files: ['tests/foundation/role-isolation.test.ts'],
  },
  {
    name: 'JWT attacks (gateway)',
    config: 'vitest.config.ts',
    files: ['tests/gateway-identity/jwt-attacks.test.ts', 'services/gateway/test/auth/jwt.test.ts'],
  },
  {
    name: 'Forged identity and tokens through the stack',
    config: 'tests/stack/vitest.config.ts',
    files: ['tests/stack/identity.e2e.ts'],
  },
  {
    name: 'Schema fuzzing of every public route',
    config: 'tests/stack/vitest.config.ts',
    files: ['tests/stack/abuse-fuzz.e2e.ts'],
    figures: 'fuzz',
  },
  {
    name: 'Injection strings',
    config: 'tests/stack/vitest.config.ts',
    files: ['tests/stack/abuse-injection.e2e.ts'],
    figures: 'injection',
  },
  {
    name: 'Body size, slow clients, rate limits',
    config: 'tests/stack/vitest.config.ts',
    files: ['tests/stack/abuse-limits.e2e.ts'],
    figures: 'limits',
  },
  {
    name: 'Logs searched for secrets',
    config: 'tests/stack/vitest.config.ts',
    files: ['tests/stack/zz-log-hygiene.e2e.ts'],
    figures: 'log-hygiene',
  },
];

interface VitestJson {
  testResults: { name: string; assertionResults: { status: string; fullName: string }[] }[];
}

function vitest(config: string, files: string[], report: string): Promise<number> {
  const args = [
    'run',
    '--config',
    config,
    ...files,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ];
  return new Promise((resolve) => {
    const child = spawn(join(root, 'node_modules', '.bin', 'vitest'), args, { cwd: root, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<number> {
  const ready = await fetch(`${gateway}/health/ready`).then(
    (r) => r.ok,
    () => false,
  );
  if (!ready) {
    console.error(`The stack is not ready at ${gateway}; start it (npm run services) first.`);
    return 1;
  }
  mkdirSync(out, { recursive: true });
  for (const name of ['fuzz', 'injection', 'limits', 'log-hygiene'])
    rmSync(join(out, `${name}.json`), { force: true });

  // One vitest run per config: the root one (infrastructure tests), then the stack one (log search last).
  const byConfig = new Map<string, string[]>();
  for (const c of categories) byConfig.set(c.config, [...(byConfig.get(c.config) ?? []), ...c.files]);
  const results: VitestJson['testResults'] = [];
  let code = 0;
  for (const [config, files] of byConfig) {
    const report = join(out, `vitest-${config.includes('stack') ? 'stack' : 'root'}.json`);
    code = (await vitest(config, files, report)) || code;
    if (existsSync(report))
      results.push(...(JSON.parse(readFileSync(report, 'utf8')) as VitestJson).testResults);
  }

  const rows = categories.map((c) => {
    const tests = results
      .filter((r) => c.files.some((f) => r.name.endsWith(f)))
      .flatMap((r) => r.assertionResults);
    const count = (status: string) => tests.filter((t) => t.status === status).length;
    const figuresFile = c.figures ? join(out, `${c.figures}.json`) : undefined;
    const figures =
      figuresFile && existsSync(figuresFile) ? JSON.parse(readFileSync(figuresFile, 'utf8')) : undefined;
    return {
      category: c.name,
      files: c.files,
      passed: count('passed'),
      failed: count('failed'),
      skipped: count('skipped') + count('pending') + count('todo'),
      failures: tests.filter((t) => t.status === 'failed').map((t) => t.fullName),
      figures,
    };
  });
  const summary = (f: Record<string, unknown> | undefined): string => {
    if (!f) return '';
    const { at: _at, routes: _routes, violations, findings, ...rest } = f;
    const issues = (violations ?? findings) as unknown[] | undefined;
    return JSON.stringify({ ...rest, ...(issues ? { findings: issues.length } : {}) }).replaceAll('|', '\\|');
  };
  const md = [
    `# Abuse report (${new Date().toISOString()})`,
    '',
    '| category | passed | failed | skipped | figures |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) => `| ${r.category} | ${r.passed} | ${r.failed} | ${r.skipped} | ${summary(r.figures)} |`,
    ),
    '',
    ...rows.flatMap((r) => r.failures.map((f) => `- FAILED (${r.category}): ${f}`)),
  ].join('\n');
  writeFileSync(join(out, 'report.json'), JSON.stringify({ at: new Date().toISOString(), rows }, null, 2));
  writeFileSync(join(out, 'report.md'), `${md}\n`);
  console.log(`\n${md}\nWritten to ${join(out, 'report.md')} and report.json.`);
  return code || (rows.some((r) => r.failed > 0) ? 1 : 0);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
