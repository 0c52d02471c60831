import pg from 'pg';

/**
 * One database, one schema and one login role per data-owning service; a role owns its schema
 * and has no rights anywhere else, not even in `public` (docs/development.md, "Database").
 */
export const serviceRoles = [
  { role: 'passport_svc', schema: 'passport' },
  { role: 'identity_svc', schema: 'identity' },
  { role: 'personalization_svc', schema: 'personalization' },
  { role: 'fridge_svc', schema: 'fridge' },
  { role: 'measurement_svc', schema: 'measurement' },
  { role: 'brand_analytics_svc', schema: 'brand_analytics' },
] as const;

export type ServiceRole = (typeof serviceRoles)[number]['role'];

/** `PT_DB_PASSWORD_<ROLE>` (e.g. PT_DB_PASSWORD_PASSPORT_SVC), else `<role>-dev-password`. */
export function rolePassword(role: string): string {
  return process.env[`PT_DB_PASSWORD_${role.toUpperCase()}`] ?? `${role}-dev-password`;
}

export function roleDatabaseUrl(adminUrl: string, dbName: string, role: string): string {
  const url = new URL(adminUrl);
  url.username = encodeURIComponent(role);
  url.password = encodeURIComponent(rolePassword(role));
  url.pathname = `/${encodeURIComponent(dbName)}`;
  return url.toString();
}

function databaseUrl(adminUrl: string, dbName: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(dbName)}`;
  return url.toString();
}

const ident = (name: string) => pg.escapeIdentifier(name);
const literal = (value: string) => pg.escapeLiteral(value);

/** Idempotent: safe to run on every start and from several processes one after another. */
export async function provisionDatabase(adminUrl: string, dbName: string): Promise<void> {
  await withClient(adminUrl, async (admin) => {
    await createDatabaseIfMissing(admin, dbName);
    for (const { role } of serviceRoles) await upsertRole(admin, role);
  });
  await withClient(databaseUrl(adminUrl, dbName), async (db) => {
    await db.query(`REVOKE ALL ON SCHEMA public FROM PUBLIC`);
    await db.query(`REVOKE ALL ON DATABASE ${ident(dbName)} FROM PUBLIC`);
    for (const { role, schema } of serviceRoles) {
      await db.query(`GRANT CONNECT ON DATABASE ${ident(dbName)} TO ${ident(role)}`);
      await db.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)} AUTHORIZATION ${ident(role)}`);
      await db.query(`ALTER SCHEMA ${ident(schema)} OWNER TO ${ident(role)}`);
      await db.query(
        `ALTER ROLE ${ident(role)} IN DATABASE ${ident(dbName)} SET search_path = ${ident(schema)}`,
      );
    }
  });
}

async function createDatabaseIfMissing(admin: pg.Client, dbName: string): Promise<void> {
  const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
  if (found.rowCount) return;
  try {
    await admin.query(`CREATE DATABASE ${ident(dbName)}`);
  } catch (error) {
    // 42P04 duplicate_database: a concurrent provisioner won the race
    if ((error as { code?: string }).code !== '42P04') throw error;
  }
}

async function upsertRole(admin: pg.Client, role: string): Promise<void> {
  const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  const verb = exists.rowCount ? 'ALTER' : 'CREATE';
  try {
    await admin.query(
      `${verb} ROLE ${ident(role)} LOGIN PASSWORD ${literal(rolePassword(role))} NOSUPERUSER NOCREATEDB NOCREATEROLE`,
    );
  } catch (error) {
    // 42710 duplicate_object: created concurrently; the next run aligns the password
    if ((error as { code?: string }).code !== '42710') throw error;
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
