import type { PoolClient } from '@packytrace/service-kit';

type Queryable = Pick<PoolClient, 'query'>;

export interface AccountRow {
  id: string;
  email: string;
  displayName: string | null;
}

/** Unique-violation on the email index: the email is taken (Keycloak and this table disagree, or a race). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === '23505';
}

export async function insertAccount(db: Queryable, account: AccountRow): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO accounts (id, email, display_name) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
    [account.id, account.email, account.displayName],
  );
  return rowCount === 1;
}

export async function linkVisitor(db: Queryable, visitorId: string, accountId: string): Promise<void> {
  await db.query(
    'INSERT INTO visitor_links (visitor_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [visitorId, accountId],
  );
}

/**
 * Serialises, per email and across instances, a registration's account-row write with the clean-up
 * of a Keycloak user whose creation went unanswered (registration.ts). Transaction-scoped.
 */
export async function lockRegistrationOf(db: Queryable, email: string): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtextextended('identity.registration:' || $1, 0))", [
    email,
  ]);
}

export async function findAccount(db: Queryable, accountId: string): Promise<AccountRow | undefined> {
  const { rows } = await db.query<AccountRow>(
    'SELECT id, email, display_name AS "displayName" FROM accounts WHERE id = $1',
    [accountId],
  );
  return rows[0];
}

export async function accountIdByEmail(db: Queryable, email: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM accounts WHERE lower(email) = lower($1)', [
    email,
  ]);
  return rows[0]?.id;
}
