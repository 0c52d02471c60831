import type { Pool, PoolClient } from '@packytrace/service-kit';

type Queryable = Pick<PoolClient, 'query'>;

export interface BrandRow {
  brandId: string;
  name: string;
  gs1CompanyPrefixes: string[];
}

/** Serialises Brand creation so two concurrent requests cannot both pass the overlap check. */
export async function lockBrandRegistry(db: Queryable): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext('identity.brand_prefixes'))");
}

export async function allPrefixes(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ prefix: string }>('SELECT prefix FROM brand_prefixes');
  return rows.map((r) => r.prefix);
}

export async function brandNameTaken(db: Queryable, name: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM brands WHERE lower(name) = lower($1)', [name]);
  return (rowCount ?? 0) > 0;
}

export async function insertBrand(db: Queryable, brand: BrandRow): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO brands (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING',
    [brand.brandId, brand.name],
  );
  if (rowCount === 0) return false;
  await db.query('INSERT INTO brand_prefixes (prefix, brand_id) SELECT unnest($1::text[]), $2', [
    brand.gs1CompanyPrefixes,
    brand.brandId,
  ]);
  return true;
}

export async function findBrand(db: Queryable, brandId: string): Promise<BrandRow | undefined> {
  const { rows } = await db.query<BrandRow>(
    `SELECT b.id AS "brandId", b.name, coalesce(array_agg(p.prefix ORDER BY p.prefix) FILTER (WHERE p.prefix IS NOT NULL), '{}') AS "gs1CompanyPrefixes"
     FROM brands b LEFT JOIN brand_prefixes p ON p.brand_id = b.id WHERE b.id = $1 GROUP BY b.id`,
    [brandId],
  );
  return rows[0];
}

export async function brandOfAccount(pool: Pool, accountId: string): Promise<BrandRow | undefined> {
  const { rows } = await pool.query<{ brand_id: string }>(
    'SELECT brand_id FROM brand_users WHERE account_id = $1',
    [accountId],
  );
  return rows[0] ? findBrand(pool, rows[0].brand_id) : undefined;
}

export async function addBrandUser(db: Queryable, accountId: string, brandId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO brand_users (account_id, brand_id) VALUES ($1, $2) ON CONFLICT (account_id) DO NOTHING',
    [accountId, brandId],
  );
  return rowCount === 1;
}
