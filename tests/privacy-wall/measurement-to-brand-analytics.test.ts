import { randomUUID } from 'node:crypto';
import { Admin, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { Topics } from '@packytrace/contracts';
import {
  adminDatabaseUrl,
  quietLogger,
  roleDatabaseUrl,
  TEST_INTERNAL_SECRET,
  testEnv,
  waitFor,
} from '@packytrace/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startBrandAnalyticsService,
  type RunningBrandAnalytics,
} from '../../services/brand-analytics/src/service';
import { startMeasurementService, type RunningMeasurement } from '../../services/measurement/src/service';

/**
 * The privacy wall end to end: individual facts go into the Measurement Pipeline, only k-anonymous
 * aggregates come out of Brand Analytics, and each Brand sees only its own.
 */
const K = 3;
const suffix = `.wall-${randomUUID()}`;
const brandA = randomUUID();
const brandB = randomUUID();
const gtin = (n: number) => `9${String(Date.now()).slice(-9)}${String(n).padStart(4, '0')}`;
const [popular, niche, other] = [gtin(1), gtin(2), gtin(3)];
const windowStart = Date.parse('2024-06-01T10:00:00.000Z');
const inputTopics = [Topics.productScanned, Topics.fridgeItems, Topics.accounts, Topics.consents];
const accounts = Array.from({ length: 5 }, () => randomUUID());

let measurement: RunningMeasurement;
let brandAnalytics: RunningBrandAnalytics;

const scan = (brandId: string, g: string, accountId: string, minute: number) => {
  const at = new Date(windowStart + minute * 60_000).toISOString();
  return {
    eventId: randomUUID(),
    type: 'ProductScanned',
    occurredAt: at,
    scanId: randomUUID(),
    gtin: g,
    brandId,
    subject: { kind: 'account', id: accountId },
    scannedAt: at,
  };
};

async function produceAll(messages: { topic: string; value: string }[]) {
  const producer = new Producer({
    clientId: `wall-${randomUUID()}`,
    bootstrapBrokers: testEnv().kafkaBrokers,
    serializers: stringSerializers,
    acks: ProduceAcks.LEADER,
  });
  await producer.send({ messages });
  await producer.close();
}

async function metricsOf(
  brandId: string,
  query = 'from=2024-06-01T00:00:00.000Z&to=2024-06-02T00:00:00.000Z',
) {
  const response = await fetch(`${brandAnalytics.url}/api/v1/brand/metrics?${query}`, {
    headers: {
      'x-internal-token': TEST_INTERNAL_SECRET,
      'x-account-id': randomUUID(),
      'x-brand-id': brandId,
      'x-roles': 'brand',
    },
  });
  return (await response.json()) as {
    series: { gtin: string; points: Record<string, number | string>[] }[];
    suppressedCells: number;
    minGroupSize: number;
  };
}

beforeAll(async () => {
  const admin = new Admin({ clientId: `wall-${randomUUID()}`, bootstrapBrokers: testEnv().kafkaBrokers });
  await admin.createTopics({ topics: inputTopics.map((t) => `${t}${suffix}`), partitions: 1, replicas: 1 });
  await admin.close();
  const common = {
    PT_HTTP_HOST: '127.0.0.1',
    PT_HTTP_PORT: 0,
    PT_LOG_LEVEL: 'silent' as const,
    PT_INTERNAL_SECRET: TEST_INTERNAL_SECRET,
    PT_KAFKA_BROKERS: testEnv().kafkaBrokers.join(','),
  };
  brandAnalytics = await startBrandAnalyticsService(
    {
      ...common,
      PT_DB_URL: roleDatabaseUrl('brand_analytics_svc'),
      PT_MEASUREMENT_MIN_GROUP_SIZE: K,
      PT_BRAND_ANALYTICS_GROUP_ID: `wall-ba-${randomUUID()}`,
    },
    quietLogger(),
  );
  // popular: 4 accounts (published); niche: one account scanning 20 times (suppressed); Brand B: 3 accounts
  const events = [
    ...accounts.slice(0, 4).map((a, i) => scan(brandA, popular, a, i)),
    ...Array.from({ length: 20 }, (_, i) => scan(brandA, niche, accounts[4]!, i)),
    ...accounts.slice(0, 3).map((a, i) => scan(brandB, other, a, i)),
  ];
  await produceAll(
    events.map((e) => ({ topic: `${Topics.productScanned}${suffix}`, value: JSON.stringify(e) })),
  );
  measurement = await startMeasurementService(
    {
      ...common,
      PT_DB_URL: roleDatabaseUrl('measurement_svc'),
      PT_MEASUREMENT_WINDOW_SECONDS: 3600,
      PT_MEASUREMENT_ALLOWED_LATENESS_SECONDS: 300,
      PT_MEASUREMENT_MIN_GROUP_SIZE: K,
      PT_MEASUREMENT_HASH_KEY: `wall-${randomUUID()}`,
      PT_MEASUREMENT_GROUP_ID: `wall-m-${randomUUID()}`,
      PT_MEASUREMENT_TOPIC_SUFFIX: suffix,
      PT_MEASUREMENT_IDLE_CLOSE_SECONDS: 1,
      PT_MEASUREMENT_BATCH_SIZE: 500,
    },
    quietLogger(),
  );
}, 90_000);

afterAll(async () => {
  await measurement?.close();
  await brandAnalytics?.close();
  const admin = new Admin({ clientId: `wall-${randomUUID()}`, bootstrapBrokers: testEnv().kafkaBrokers });
  await admin.deleteTopics({ topics: inputTopics.map((t) => `${t}${suffix}`) }).catch(() => undefined);
  await admin.close();
});

describe('privacy wall: Measurement Pipeline → Brand Analytics', () => {
  it('a Brand sees its k-anonymous products, the count of withheld cells, and nothing of another Brand', async () => {
    const a = await waitFor(
      async () => {
        const m = await metricsOf(brandA);
        return m.series.length > 0 && m;
      },
      45_000,
      'Brand A metrics',
    );
    expect(a.series).toEqual([
      {
        gtin: popular,
        points: [
          {
            t: '2024-06-01T10:00:00.000Z',
            scans: 4,
            distinctSubjects: 4,
            fridgeAdds: 0,
            consumed: 0,
            discarded: 0,
          },
        ],
      },
    ]);
    expect(a.suppressedCells).toBe(1); // the niche product: one person, 20 scans
    expect(a.minGroupSize).toBe(K);
    expect(JSON.stringify(a)).not.toContain(other);
    const b = await waitFor(
      async () => {
        const m = await metricsOf(brandB);
        return m.series.length > 0 && m;
      },
      20_000,
      'Brand B metrics',
    );
    expect(b.series.map((s) => s.gtin)).toEqual([other]);
    expect(JSON.stringify(b)).not.toContain(popular);
  }, 60_000);

  it('no individual id crosses the wall: Brand Analytics stores none of the accounts', async () => {
    const client = new pg.Client({ connectionString: adminDatabaseUrl() });
    await client.connect();
    try {
      const { rows } = await client.query<{ dump: string }>(
        `SELECT coalesce(string_agg(t::text, ' '), '') AS dump FROM (
           SELECT row_to_json(w)::text AS t FROM brand_analytics.metric_windows w WHERE brand_id = ANY($1::uuid[])
           UNION ALL SELECT row_to_json(c)::text FROM brand_analytics.metric_cells c WHERE brand_id = ANY($1::uuid[])) x`,
        [[brandA, brandB]],
      );
      expect(rows[0]!.dump).toContain(brandA);
      for (const account of accounts) expect(rows[0]!.dump).not.toContain(account);
      const hashes = await client.query(
        `SELECT count(*)::int AS n FROM measurement.cell_subjects s JOIN measurement.open_cells c ON c.id = s.cell_id WHERE c.brand_id = ANY($1::uuid[])`,
        [[brandA, brandB]],
      );
      expect(hashes.rows[0].n).toBe(0); // published windows keep no subject hashes
    } finally {
      await client.end();
    }
  });
});
