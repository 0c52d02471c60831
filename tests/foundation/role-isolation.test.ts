import { adminDatabaseUrl, roleDatabaseUrl } from '@packytrace/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const schemas = [
  'passport',
  'identity',
  'personalization',
  'fridge',
  'measurement',
  'brand_analytics',
] as const;
const roleOf = (schema: string) => `${schema}_svc`;

async function asRole<T>(role: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: roleDatabaseUrl(role) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Resolves to the SQLSTATE of the failure, or 'ok'. */
async function attempt(client: pg.Client, sql: string): Promise<string> {
  try {
    await client.query(sql);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? 'error';
  }
}

describe('database role isolation', () => {
  beforeAll(async () => {
    // A probe table in every schema (and in public), owned by the schema's role like the service's own tables.
    const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
    await admin.connect();
    for (const schema of [...schemas, 'public']) {
      await admin.query(`CREATE TABLE IF NOT EXISTS ${schema}.isolation_probe (id int)`);
      if (schema !== 'public')
        await admin.query(`ALTER TABLE ${schema}.isolation_probe OWNER TO ${roleOf(schema)}`);
    }
    await admin.end();
  });

  afterAll(async () => {
    const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
    await admin.connect();
    for (const schema of [...schemas, 'public'])
      await admin.query(`DROP TABLE IF EXISTS ${schema}.isolation_probe`);
    await admin.end();
  });

  for (const own of schemas) {
    const role = roleOf(own);
    it(`${role} reads, writes and creates in ${own} only`, async () => {
      await asRole(role, async (client) => {
        expect(await attempt(client, `SELECT * FROM ${own}.isolation_probe`)).toBe('ok');
        expect(await attempt(client, `INSERT INTO ${own}.isolation_probe VALUES (1)`)).toBe('ok');
        expect(
          await attempt(
            client,
            `CREATE TABLE ${own}.isolation_scratch (id int); DROP TABLE ${own}.isolation_scratch`,
          ),
        ).toBe('ok');
        const { rows } = await client.query<{ schema: string }>('SELECT current_schema() AS schema');
        expect(rows[0]!.schema).toBe(own);

        for (const other of [...schemas.filter((s) => s !== own), 'public']) {
          // 42501 insufficient_privilege: denied, not merely missing.
          expect(await attempt(client, `SELECT * FROM ${other}.isolation_probe`), `read ${other}`).toBe(
            '42501',
          );
          expect(
            await attempt(client, `INSERT INTO ${other}.isolation_probe VALUES (1)`),
            `write ${other}`,
          ).toBe('42501');
          expect(await attempt(client, `CREATE TABLE ${other}.intruder (id int)`), `create in ${other}`).toBe(
            '42501',
          );
        }
      });
    });
  }
});
