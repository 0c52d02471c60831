import type { Pool, PoolClient } from '@packytrace/service-kit';

type Queryable = Pick<Pool | PoolClient, 'query'>;

export interface BrandScope {
  brandId: string;
  name: string;
  gs1CompanyPrefixes: string[];
}

/** The local projection of Brands and their GS1 company prefixes (from identity.brands.v1). */
export class BrandRepository {
  constructor(private readonly pool: Pool) {}

  async find(brandId: string): Promise<BrandScope | undefined> {
    const { rows } = await this.pool.query<{
      brand_id: string;
      name: string;
      gs1_company_prefixes: string[];
    }>('SELECT brand_id, name, gs1_company_prefixes FROM brands WHERE brand_id = $1', [brandId]);
    const row = rows[0];
    return row && { brandId: row.brand_id, name: row.name, gs1CompanyPrefixes: row.gs1_company_prefixes };
  }

  /** A BrandRegistered event: the event is the truth, so it replaces what the projection had. */
  async register(client: Queryable, brand: BrandScope): Promise<void> {
    await client.query(
      `INSERT INTO brands (brand_id, name, gs1_company_prefixes) VALUES ($1, $2, $3)
       ON CONFLICT (brand_id) DO UPDATE SET name = EXCLUDED.name, gs1_company_prefixes = EXCLUDED.gs1_company_prefixes, updated_at = now()`,
      [brand.brandId, brand.name, brand.gs1CompanyPrefixes],
    );
  }

  /** Seeds a Brand only when the projection does not know it yet (dev demo Brands). */
  async seed(brand: BrandScope): Promise<void> {
    await this.pool.query(
      'INSERT INTO brands (brand_id, name, gs1_company_prefixes) VALUES ($1, $2, $3) ON CONFLICT (brand_id) DO NOTHING',
      [brand.brandId, brand.name, brand.gs1CompanyPrefixes],
    );
  }
}
