import { randomUUID } from 'node:crypto';
import { Topics, type BrandMetricBatchPublished } from '@packytrace/contracts';
import { EventProducer } from '@packytrace/service-kit';
import { quietLogger, roleDatabaseUrl, TEST_INTERNAL_SECRET, testEnv } from '@packytrace/testing';
import { startBrandAnalyticsService, type RunningBrandAnalytics } from '../src/service';

export async function startBrandAnalytics(): Promise<RunningBrandAnalytics> {
  return startBrandAnalyticsService(
    {
      PT_HTTP_HOST: '127.0.0.1',
      PT_HTTP_PORT: 0,
      PT_LOG_LEVEL: 'silent',
      PT_INTERNAL_SECRET: TEST_INTERNAL_SECRET,
      PT_DB_URL: roleDatabaseUrl('brand_analytics_svc'),
      PT_KAFKA_BROKERS: testEnv().kafkaBrokers.join(','),
      PT_MEASUREMENT_MIN_GROUP_SIZE: 3,
      PT_BRAND_ANALYTICS_GROUP_ID: `brand-analytics-test-${randomUUID()}`,
    },
    quietLogger(),
  );
}

export function batchOf(
  brandId: string,
  windowStart: string,
  cells: BrandMetricBatchPublished['cells'],
  suppressedCells = 0,
): BrandMetricBatchPublished {
  const start = Date.parse(windowStart);
  const totals = { scans: 0, distinctSubjects: 0, fridgeAdds: 0, consumed: 0, discarded: 0 };
  for (const c of cells) for (const f of Object.keys(totals) as (keyof typeof totals)[]) totals[f] += c[f];
  return {
    eventId: randomUUID(),
    type: 'BrandMetricBatchPublished',
    occurredAt: new Date().toISOString(),
    batchId: randomUUID(),
    brandId,
    windowStart: new Date(start).toISOString(),
    windowEnd: new Date(start + 3_600_000).toISOString(),
    minGroupSize: 3,
    cells,
    suppressedCells,
    totals,
    noise: null,
  };
}

export const cell = (gtin: string, n: number) => ({
  gtin,
  scans: n * 2,
  distinctSubjects: n,
  fridgeAdds: n,
  consumed: 1,
  discarded: 0,
});

export async function publish(batches: BrandMetricBatchPublished[]): Promise<void> {
  const producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: `test-${randomUUID()}` });
  try {
    await producer.publish(
      batches.map((event) => ({ topic: Topics.brandMetrics, key: event.brandId, event })),
    );
  } finally {
    await producer.close();
  }
}

export const brandHeaders = (brandId: string) => ({
  'x-internal-token': TEST_INTERNAL_SECRET,
  'x-account-id': randomUUID(),
  'x-brand-id': brandId,
  'x-roles': 'brand',
});
