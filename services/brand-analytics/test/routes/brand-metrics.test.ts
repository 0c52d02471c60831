import { randomUUID } from 'node:crypto';
import { waitFor } from '@packytrace/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBrandAnalytics } from '../../src/service';
import { batchOf, brandHeaders, cell, publish, startBrandAnalytics } from '../support';

let service: RunningBrandAnalytics;
interface Point {
  t: string;
  scans: number;
  distinctSubjects: number;
}
interface Body {
  code?: string;
  brandId?: string;
  suppressedCells?: number;
  series: { gtin: string; points: Point[] }[];
}
const brandA = randomUUID();
const brandB = randomUUID();
const gtinA1 = `0${String(Date.now()).slice(-13)}`;
const gtinA2 = `1${String(Date.now()).slice(-13)}`;
const gtinB = `2${String(Date.now()).slice(-13)}`;
const range = 'from=2024-05-01T00:00:00.000Z&to=2024-05-03T00:00:00.000Z';

async function metrics(brandId: string, query = range) {
  const response = await fetch(`${service.url}/api/v1/brand/metrics?${query}`, {
    headers: brandHeaders(brandId),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

beforeAll(async () => {
  service = await startBrandAnalytics();
  await publish([
    batchOf(brandA, '2024-05-01T10:00:00.000Z', [cell(gtinA1, 5), cell(gtinA2, 4)], 2),
    batchOf(brandA, '2024-05-01T11:00:00.000Z', [cell(gtinA1, 6)], 1),
    batchOf(brandA, '2024-05-02T09:00:00.000Z', [cell(gtinA1, 7)]),
    batchOf(brandB, '2024-05-01T10:00:00.000Z', [cell(gtinB, 99)], 5),
  ]);
  await waitFor(
    async () =>
      (await metrics(brandA)).body.series?.[0]?.points?.length === 3 &&
      (await metrics(brandB)).body.series?.length === 1,
    20_000,
    'batches stored',
  );
});

afterAll(async () => {
  await service?.close();
});

describe('GET /api/v1/brand/metrics', () => {
  it("returns the caller's Brand only, one series per product, per window", async () => {
    const { status, body } = await metrics(brandA);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      brandId: brandA,
      granularity: 'window',
      suppressedCells: 3,
      minGroupSize: 3,
    });
    expect(body.series.map((s) => s.gtin).sort()).toEqual([gtinA1, gtinA2]);
    const a1 = body.series.find((s) => s.gtin === gtinA1)!;
    expect(a1.points).toEqual([
      {
        t: '2024-05-01T10:00:00.000Z',
        scans: 10,
        distinctSubjects: 5,
        fridgeAdds: 5,
        consumed: 1,
        discarded: 0,
      },
      {
        t: '2024-05-01T11:00:00.000Z',
        scans: 12,
        distinctSubjects: 6,
        fridgeAdds: 6,
        consumed: 1,
        discarded: 0,
      },
      {
        t: '2024-05-02T09:00:00.000Z',
        scans: 14,
        distinctSubjects: 7,
        fridgeAdds: 7,
        consumed: 1,
        discarded: 0,
      },
    ]);
    expect(JSON.stringify(body)).not.toContain(gtinB);
  });

  it('sums windows per UTC day and filters by GTIN', async () => {
    const { body } = await metrics(brandA, `${range}&granularity=day&gtin=${gtinA1}`);
    expect(body.series).toEqual([
      {
        gtin: gtinA1,
        points: [
          {
            t: '2024-05-01T00:00:00.000Z',
            scans: 22,
            distinctSubjects: 11,
            fridgeAdds: 11,
            consumed: 2,
            discarded: 0,
          },
          {
            t: '2024-05-02T00:00:00.000Z',
            scans: 14,
            distinctSubjects: 7,
            fridgeAdds: 7,
            consumed: 1,
            discarded: 0,
          },
        ],
      },
    ]);
  });

  it('Brand B sees only Brand B', async () => {
    const { body } = await metrics(brandB);
    expect(body.series).toEqual([
      { gtin: gtinB, points: [expect.objectContaining({ distinctSubjects: 99 })] },
    ]);
    expect(body.suppressedCells).toBe(5);
  });

  it('rejects a brandId in the query instead of widening the scope', async () => {
    const { status, body } = await metrics(brandA, `${range}&brandId=${brandB}`);
    expect(status).toBe(400);
    expect(body.code).toBe('invalid_request');
  });

  it('refuses callers without a gateway-derived Brand', async () => {
    const noBrand = await fetch(`${service.url}/api/v1/brand/metrics?${range}`, {
      headers: { 'x-internal-token': brandHeaders(brandA)['x-internal-token'], 'x-account-id': randomUUID() },
    });
    expect(noBrand.status).toBe(403);
    const forged = await fetch(`${service.url}/api/v1/brand/metrics?${range}`, {
      headers: { 'x-brand-id': brandB },
    });
    expect(forged.status).toBe(401);
  });

  it('a republished window (pipeline replay) replaces the stored figures instead of adding to them', async () => {
    await publish([batchOf(brandA, '2024-05-02T09:00:00.000Z', [cell(gtinA1, 8)])]);
    await waitFor(
      async () => {
        const { body } = await metrics(brandA, `${range}&gtin=${gtinA1}`);
        return body.series[0]?.points.at(-1)?.distinctSubjects === 8;
      },
      20_000,
      'replacement stored',
    );
    const { body } = await metrics(brandA, `${range}&gtin=${gtinA1}`);
    expect(body.series[0]!.points).toHaveLength(3);
  });

  it('rejects an inverted range', async () => {
    const { status, body } = await metrics(
      brandA,
      'from=2024-05-03T00:00:00.000Z&to=2024-05-01T00:00:00.000Z',
    );
    expect(status).toBe(400);
    expect(body.code).toBe('invalid_range');
  });

  it.each(['to=2016-12-31T23:59:60Z', 'from=2016-12-31T23:59:60Z&to=2017-01-01T00:00:00Z'])(
    'rejects a date-time a Date cannot hold (%s) with 400, not 500',
    async (query) => {
      const { status, body } = await metrics(brandA, query);
      expect(status).toBe(400);
      expect(body.code).toBe('invalid_request'); // the kit's date-time format takes only what a Date holds
    },
  );
});
