import { randomBytes, randomUUID } from 'node:crypto';
import { Topics } from '@packytrace/contracts';
import { InMemorySpanExporter, InternalClient, startTracing, type Tracing } from '@packytrace/service-kit';
import {
  findMessage,
  quietLogger,
  roleDatabaseUrl,
  TEST_INTERNAL_SECRET,
  testEnv,
  waitFor,
} from '@packytrace/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp as buildGateway } from '../../services/gateway/src/app';
import { BrandDirectory } from '../../services/gateway/src/clients/identity-brands';
import { loadConfig as gatewayConfig } from '../../services/gateway/src/config';
import { startMeasurementService, type RunningMeasurement } from '../../services/measurement/src/service';
import { measurementConfig } from '../../services/measurement/test/support/kafka';
import { demoCatalog } from '../../services/passport/src/db/seed/catalog';
import { startPassportService, type RunningPassport } from '../../services/passport/src/service';
import {
  startPersonalizationService,
  type RunningPersonalization,
} from '../../services/personalization/src/service';

/**
 * Issue 9's goal: one scan is ONE trace, from the gateway through Passport (and its PostgreSQL queries)
 * and Personalization, and on through the outbox and Kafka to the Measurement Pipeline that reads
 * ProductScanned.
 * Tracing on with an in-memory exporter standing in for the OTLP collector.
 */
const exporter = new InMemorySpanExporter();
let tracing: Tracing | undefined;
let identity: FastifyInstance;
let personalization: RunningPersonalization;
let passport: RunningPassport;
let measurement: RunningMeasurement | undefined;
let gateway: FastifyInstance;
let gatewayUrl: string;
let brandsClient: InternalClient;
const accountId = randomUUID();

const common = () => ({
  PT_HTTP_HOST: '127.0.0.1',
  PT_HTTP_PORT: 0,
  PT_LOG_LEVEL: 'silent' as const,
  PT_INTERNAL_SECRET: TEST_INTERNAL_SECRET,
  PT_KAFKA_BROKERS: testEnv().kafkaBrokers.join(','),
  PT_KAFKA_GROUP_SUFFIX: `-test-${randomUUID()}`,
});

beforeAll(async () => {
  tracing = startTracing({ serviceName: 'packytrace-scan-trace-test', exporter });
  identity = Fastify();
  identity.get('/internal/accounts/:accountId/consents/:purpose', async () => ({
    granted: false,
    policyVersion: '2026-01',
  }));
  const identityUrl = await identity.listen({ port: 0, host: '127.0.0.1' });
  personalization = await startPersonalizationService(
    {
      ...common(),
      PT_DB_URL: roleDatabaseUrl('personalization_svc'),
      PT_IDENTITY_URL: identityUrl,
      PT_IDENTITY_TIMEOUT_MS: 2000,
      PT_HEALTH_PROFILE_KEY: randomBytes(32).toString('base64'),
    },
    quietLogger('personalization'),
  );
  passport = await startPassportService(
    {
      ...common(),
      PT_DB_URL: roleDatabaseUrl('passport_svc'),
      PT_PERSONALIZATION_URL: personalization.url,
      PT_VERDICT_TIMEOUT_MS: 2000,
      PT_SEED_DEMO_CATALOG: true,
    },
    quietLogger('passport'),
  );
  const config = gatewayConfig({
    PT_HTTP_PORT: '0',
    PT_INTERNAL_SECRET: TEST_INTERNAL_SECRET,
    PT_VISITOR_COOKIE_SECRET: 'scan-trace-test-cookie-secret',
    PT_PASSPORT_URL: passport.url,
    PT_PERSONALIZATION_URL: personalization.url,
    PT_IDENTITY_URL: identityUrl,
  });
  brandsClient = new InternalClient({
    service: 'identity',
    baseUrl: identityUrl,
    internalSecret: TEST_INTERNAL_SECRET,
  });
  gateway = await buildGateway({
    config,
    logger: quietLogger('gateway'),
    // A signed-in caller without Keycloak: JWT checks have their own tests.
    verifyToken: async () => ({ accountId, roles: ['consumer'] }),
    brands: new BrandDirectory(brandsClient, 0),
  });
  gatewayUrl = await gateway.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await brandsClient?.close();
  await passport?.close();
  await personalization?.close();
  await identity?.close();
  await measurement?.close();
  await tracing?.shutdown();
});

describe('one scan, one trace', () => {
  it('spans the gateway, Passport, Personalization and the ProductScanned consumer in one trace', async () => {
    const product = demoCatalog()[0]!;
    const response = await fetch(`${gatewayUrl}/api/v1/scans`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' },
      body: JSON.stringify({ code: product.gtin }),
    });
    expect(response.status).toBe(201);
    const scan = (await response.json()) as { scanId: string; verdictStatus: string };
    expect(scan.verdictStatus).toBe('no_profile'); // Personalization was asked

    const finished = () => exporter.getFinishedSpans();
    const gatewaySpan = await waitFor(() =>
      finished().find((s) => s.name === 'POST /api/v1/scans' && !s.parentSpanContext),
    );
    const traceId = gatewaySpan.spanContext().traceId;
    const inTrace = () => finished().filter((s) => s.spanContext().traceId === traceId);
    const childOf = (parent: { spanContext(): { spanId: string } }, name: string) =>
      inTrace().find((s) => s.name === name && s.parentSpanContext?.spanId === parent.spanContext().spanId);

    const passportSpan = await waitFor(() => childOf(gatewaySpan, 'POST /api/v1/scans'));
    // Passport's own queries, as CLIENT spans under its request (named by SQL keyword, no statement).
    const query = await waitFor(() =>
      inTrace().find(
        (s) =>
          s.attributes['db.system.name'] === 'postgresql' &&
          s.parentSpanContext?.spanId === passportSpan.spanContext().spanId,
      ),
    );
    expect(query.attributes['db.namespace']).toBe(testEnv().databaseName);
    expect(['SELECT', 'INSERT', 'UPDATE', 'WITH', 'BEGIN', 'COMMIT']).toContain(query.name);
    expect(Object.keys(query.attributes).sort()).toEqual([
      'db.namespace',
      'db.operation.name',
      'db.system.name',
    ]);
    const verdictCall = await waitFor(() => childOf(passportSpan, 'POST personalization'));
    await waitFor(() => childOf(verdictCall, 'POST /internal/verdicts'));

    // Through the outbox: the ProductScanned message carries the trace, its parent the relay's producer
    // span under Passport's (or Passport's own, when a relay of another test file sent the row) ...
    const message = await findMessage(Topics.productScanned, (m) => m.value.includes(scan.scanId));
    const [, sentTraceId, sentParent] = message.headers.get('traceparent')!.split('-');
    expect(sentTraceId).toBe(traceId);
    const send = childOf(passportSpan, `send ${Topics.productScanned}`);
    expect(sentParent).toBe(send ? send.spanContext().spanId : passportSpan.spanContext().spanId);
    // ... and the real Measurement Pipeline, reading it, continues the same trace.
    measurement = await startMeasurementService(
      measurementConfig({
        PT_MEASUREMENT_WINDOW_SECONDS: 3600,
        PT_MEASUREMENT_ALLOWED_LATENESS_SECONDS: 3600,
        PT_MEASUREMENT_GROUP_ID: `measurement-trace-${randomUUID()}`,
        PT_MEASUREMENT_IDLE_CLOSE_SECONDS: 0,
        PT_MEASUREMENT_MIN_GROUP_SIZE: 50,
        // A fresh group reads the topic from its start: large batches get through a long dev history fast.
        PT_MEASUREMENT_BATCH_SIZE: 5000,
      }),
      quietLogger('measurement'),
    );
    const consumed = await waitFor(
      () =>
        inTrace().find(
          (s) =>
            s.name === `process ${Topics.productScanned}` &&
            String(s.attributes['messaging.consumer.group.name']).startsWith('measurement-trace-'),
        ),
      90_000,
      "the pipeline's span in the scan's trace",
    );
    expect(consumed.parentSpanContext?.spanId).toBe(sentParent);

    // No secret or identifier in any span attribute.
    const attributes = JSON.stringify(inTrace().map((s) => s.attributes));
    for (const secret of [accountId, TEST_INTERNAL_SECRET, 'test-token', product.gtin, scan.scanId]) {
      expect(attributes).not.toContain(secret);
    }
  }, 180_000);
});
