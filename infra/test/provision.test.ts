import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionDatabase, roleDatabaseUrl, serviceRoles } from '../postgres/provision';

const adminUrl = process.env.PT_TEST_ADMIN_DATABASE_URL;
const database = `pt_provision_${randomBytes(4).toString('hex')}`;

async function asRole<T>(role: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: roleDatabaseUrl(adminUrl!, database, role) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('provisionDatabase (real PostgreSQL)', () => {
  beforeAll(async () => {
    if (!adminUrl)
      throw new Error('PT_TEST_ADMIN_DATABASE_URL is not set: run `npm run infra` or `npm test`');
    await provisionDatabase(adminUrl, database);
  });

  afterAll(async () => {
    if (!adminUrl) return;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
    await admin.end();
  });

  it('can run again on a provisioned database without error', async () => {
    await expect(provisionDatabase(adminUrl!, database)).resolves.toBeUndefined();
  });

  it.each(serviceRoles)(
    '$role logs in with its password and lands in schema $schema',
    async ({ role, schema }) => {
      const row = await asRole(
        role,
        async (client) => (await client.query('SELECT current_schema() AS schema')).rows[0],
      );
      expect(row.schema).toBe(schema);
    },
  );

  it('a role can create tables in its own schema', async () => {
    await asRole('fridge_svc', async (client) => {
      await client.query('CREATE TABLE IF NOT EXISTS probe (id int)');
      await client.query('INSERT INTO probe VALUES (1)');
    });
  });

  it("a role cannot read another service's schema", async () => {
    await asRole('fridge_svc', (client) => client.query('CREATE TABLE IF NOT EXISTS secret_probe (id int)'));
    await expect(
      asRole('passport_svc', (client) => client.query('SELECT * FROM fridge.secret_probe')),
    ).rejects.toThrow(/permission denied/);
  });

  it('a role cannot create anything in public', async () => {
    await expect(
      asRole('passport_svc', (client) => client.query('CREATE TABLE public.leak (id int)')),
    ).rejects.toThrow(/permission denied/);
  });

  it('roles are neither superusers nor able to create databases or roles', async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const { rows } = await admin.query(
      'SELECT rolname, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = ANY($1)',
      [serviceRoles.map((entry) => entry.role)],
    );
    await admin.end();
    expect(rows).toHaveLength(serviceRoles.length);
    for (const row of rows)
      expect([row.rolsuper, row.rolcreatedb, row.rolcreaterole]).toEqual([false, false, false]);
  });
});

describe('roleDatabaseUrl', () => {
  it('keeps host and port and swaps user, password and database', () => {
    const url = new URL(
      roleDatabaseUrl(
        'postgres://postgres:pw@db.example:6543/postgres?sslmode=disable',
        'packytrace',
        'passport_svc',
      ),
    );
    expect([url.hostname, url.port, url.username, url.password, url.pathname, url.search]).toEqual([
      'db.example',
      '6543',
      'passport_svc',
      'passport_svc-dev-password',
      '/packytrace',
      '?sslmode=disable',
    ]);
  });
});
