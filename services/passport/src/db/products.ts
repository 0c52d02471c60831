import type { Recall } from '@packytrace/contracts';
import type { Pool, PoolClient } from '@packytrace/service-kit';
import type { Product, ProductDocument } from '../domain/product';

type Queryable = Pick<Pool | PoolClient, 'query'>;

interface ProductRow {
  gtin: string;
  brand_id: string | null;
  brand_name: string;
  name: string;
  category: string | null;
  shelf_life_days: number;
  expiry_kind: 'use_by' | 'best_before';
  document: ProductDocument;
}

const columns =
  'p.gtin, p.brand_id, p.brand_name, p.name, p.category, p.shelf_life_days, p.expiry_kind, p.document';

function toProduct(row: ProductRow): Product {
  return {
    gtin: row.gtin,
    brandId: row.brand_id,
    brandName: row.brand_name,
    name: row.name,
    ...(row.category ? { category: row.category } : {}),
    shelfLifeDays: row.shelf_life_days,
    expiryKind: row.expiry_kind,
    document: row.document,
  };
}

/**
 * A `to_tsquery` of the words of a search, each as a prefix (`word:*`), so "nord yog" finds
 * "Nordhavn ... Yoghurt". Only letters and digits reach the query: no tsquery syntax from callers.
 */
export function prefixTsQuery(search: string): string {
  const words = search.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words
    .slice(0, 8)
    .map((w) => `${w}:*`)
    .join(' & ');
}

function likePrefix(search: string): string {
  return `${search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export type FoundProduct = { product: Product; recalls: Recall[] };

/** The catalog: products with their passports, recalls, and search. */
export class ProductRepository {
  private readonly recent = new Map<string, { until: number; found: FoundProduct | undefined }>();
  /** Bumped by `forget`: a read that started before a change is not cached after it. */
  private generation = 0;

  /**
   * @param cacheTtlMs how long `findRecent` may answer from memory. Changes made through this process
   *   are seen at once (`forget`); another instance's changes (a new recall) after at most this long.
   */
  constructor(
    private readonly pool: Pool,
    private readonly cacheTtlMs = 0,
  ) {}

  /**
   * `find`, remembered for `cacheTtlMs` per GTIN: a scan is a catalog read of a few hundred hot
   * products, and this saves one database round trip per scan.
   */
  async findRecent(gtin: string): Promise<FoundProduct | undefined> {
    const now = Date.now();
    const hit = this.recent.get(gtin);
    if (hit && hit.until > now) return hit.found;
    const generation = this.generation;
    const found = await this.find(gtin);
    if (this.cacheTtlMs > 0 && generation === this.generation) {
      if (this.recent.size >= 10_000) this.recent.clear(); // bounded: unknown GTINs are cached too
      this.recent.set(gtin, { until: now + this.cacheTtlMs, found });
    }
    return found;
  }

  /** A product or its recalls changed: the next `findRecent` reads the database. Call after commit. */
  forget(gtin: string): void {
    this.generation += 1;
    this.recent.delete(gtin);
  }

  async find(gtin: string): Promise<FoundProduct | undefined> {
    const { rows } = await this.pool.query<ProductRow & { recalls: Recall[] }>(
      `SELECT ${columns},
         COALESCE((SELECT jsonb_agg(jsonb_build_object('recallId', r.recall_id, 'gtin', r.gtin, 'batch', r.batch,
                    'reason', r.reason, 'recalledAt', to_char(r.recalled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                    ORDER BY r.recalled_at)
                   FROM recalls r WHERE r.gtin = p.gtin), '[]'::jsonb) AS recalls
       FROM products p WHERE p.gtin = $1`,
      [gtin],
    );
    const row = rows[0];
    if (!row) return undefined;
    const recalls = row.recalls.map((r) => ({
      ...r,
      gtin: r.gtin.trim(),
      ...(r.batch ? {} : { batch: undefined }),
    }));
    return { product: toProduct(row), recalls };
  }

  /** Name and brand search: full text with word prefixes, and a name/brand ILIKE prefix fallback. */
  async search(search: string | undefined, limit: number): Promise<Product[]> {
    const text = search?.trim() ?? '';
    if (text === '') {
      const { rows } = await this.pool.query<ProductRow>(
        `SELECT ${columns} FROM products p ORDER BY p.name, p.gtin LIMIT $1`,
        [limit],
      );
      return rows.map(toProduct);
    }
    const tsquery = prefixTsQuery(text);
    const { rows } = await this.pool.query<ProductRow>(
      `SELECT ${columns} FROM products p
       WHERE ($1 <> '' AND p.search @@ to_tsquery('simple', $1)) OR p.name ILIKE $2 OR p.brand_name ILIKE $2
       ORDER BY CASE WHEN $1 <> '' THEN ts_rank(p.search, to_tsquery('simple', $1)) ELSE 0 END DESC, p.name, p.gtin
       LIMIT $3`,
      [tsquery, likePrefix(text), limit],
    );
    return rows.map(toProduct);
  }

  async listByBrand(brandId: string, limit = 500): Promise<Product[]> {
    const { rows } = await this.pool.query<ProductRow>(
      `SELECT ${columns} FROM products p WHERE p.brand_id = $1 ORDER BY p.name, p.gtin LIMIT $2`,
      [brandId, limit],
    );
    return rows.map(toProduct);
  }

  /** Publishes or replaces a Brand's product; returns true when it was new. */
  async upsert(client: Queryable, product: Product): Promise<boolean> {
    const { rows } = await client.query<{ created: boolean }>(
      `INSERT INTO products (gtin, brand_id, brand_name, name, category, document, shelf_life_days, expiry_kind, source)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'brand')
       ON CONFLICT (gtin) DO UPDATE SET brand_id = EXCLUDED.brand_id, brand_name = EXCLUDED.brand_name, name = EXCLUDED.name,
         category = EXCLUDED.category, document = EXCLUDED.document, shelf_life_days = EXCLUDED.shelf_life_days,
         expiry_kind = EXCLUDED.expiry_kind, source = 'brand', updated_at = now()
       RETURNING (xmax = 0) AS created`,
      [
        product.gtin,
        product.brandId,
        product.brandName,
        product.name,
        product.category ?? null,
        JSON.stringify(product.document),
        product.shelfLifeDays,
        product.expiryKind,
      ],
    );
    return rows[0]!.created;
  }

  /** Inserts seed products that are not there yet; never overwrites what a Brand published. */
  async seed(products: Product[]): Promise<number> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO products (gtin, brand_id, brand_name, name, category, document, shelf_life_days, expiry_kind, source)
       SELECT x.gtin, x."brandId", x."brandName", x.name, x.category, x.document, x."shelfLifeDays", x."expiryKind", 'seed'
       FROM jsonb_to_recordset($1::jsonb) AS x(gtin text, "brandId" uuid, "brandName" text, name text, category text,
         document jsonb, "shelfLifeDays" integer, "expiryKind" text)
       ON CONFLICT (gtin) DO NOTHING`,
      [JSON.stringify(products)],
    );
    return rowCount ?? 0;
  }

  async addRecall(client: Queryable, recall: Recall & { brandId: string }): Promise<void> {
    await client.query(
      'INSERT INTO recalls (recall_id, gtin, brand_id, batch, reason, recalled_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [recall.recallId, recall.gtin, recall.brandId, recall.batch ?? null, recall.reason, recall.recalledAt],
    );
  }
}
