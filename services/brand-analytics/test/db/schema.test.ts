import { adminDatabaseUrl } from '@packytrace/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBrandAnalytics } from '../../src/service';
import { startBrandAnalytics } from '../support';

let service: RunningBrandAnalytics;
beforeAll(async () => {
  service = await startBrandAnalytics(); // runs the migrations
});
afterAll(async () => {
  await service?.close();
});

describe('brand_analytics schema', () => {
  it("has no column that could hold an individual's id", async () => {
    const client = new pg.Client({ connectionString: adminDatabaseUrl() });
    await client.connect();
    try {
      const { rows } = await client.query<{ table_name: string; column_name: string }>(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'brand_analytics'",
      );
      expect(rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining(['metric_windows', 'metric_cells']),
      );
      const suspicious = rows.filter((r) => /account|visitor|subject|scan|user|email/i.test(r.column_name));
      expect(suspicious).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
