import {
  createServiceApp,
  InMemorySpanExporter,
  startTracing,
  type ServiceApp,
  type Tracing,
} from '@packytrace/service-kit';
import { quietLogger, TEST_INTERNAL_SECRET, waitFor } from '@packytrace/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/service';
import { startTestGateway } from '../support';

// Tracing on for this file (in-memory exporter); the gateway's metrics do not depend on it.
const exporter = new InMemorySpanExporter();
let tracing: Tracing | undefined;
let passport: ServiceApp;
let gateway: RunningGateway;
const seen: { traceparent?: string }[] = [];

beforeAll(async () => {
  tracing = startTracing({ serviceName: 'packytrace-gateway-test', exporter });
  // A stand-in Passport: records the trace context the gateway forwards.
  passport = createServiceApp({
    name: 'passport',
    logger: quietLogger(),
    internalSecret: TEST_INTERNAL_SECRET,
  });
  passport.get('/api/v1/products/:gtin', async (request) => {
    seen.push({ traceparent: request.headers.traceparent as string | undefined });
    return { gtin: (request.params as { gtin: string }).gtin };
  });
  const passportUrl = await passport.listen({ host: '127.0.0.1', port: 0 });
  gateway = await startTestGateway({ PT_PASSPORT_URL: passportUrl });
});
afterAll(async () => {
  await gateway?.close();
  await passport?.close();
  await tracing?.shutdown();
});

describe('gateway metrics', () => {
  it('never serves /metrics on the public port', async () => {
    const res = await fetch(`${gateway.url}/metrics`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('http_requests_total');
  });

  it('serves them on the internal metrics listener, counted by public route (never the raw path)', async () => {
    for (const gtin of ['04012345678901', '04012345678902']) {
      expect((await fetch(`${gateway.url}/api/v1/products/${gtin}`)).status).toBe(200);
    }
    expect(gateway.metrics?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const text = await (await fetch(`${gateway.metrics!.url}/metrics`)).text();
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('http_requests_total{') &&
          l.includes('route="/api/v1/products/*"') &&
          l.includes('status_class="2xx"'),
      );
    expect(Number(line?.split(' ').pop())).toBe(2);
    expect(text).toContain('service="gateway"');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).not.toContain('04012345678901');
  });
});

describe('gateway tracing', () => {
  it('starts the trace (ignoring a caller-sent traceparent) and forwards its context to the service', async () => {
    seen.length = 0;
    const forged = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res = await fetch(`${gateway.url}/api/v1/products/04012345678903`, {
      headers: { traceparent: forged },
    });
    expect(res.status).toBe(200);
    const forwarded = seen[0]?.traceparent;
    expect(forwarded).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(forwarded).not.toContain('0af7651916cd43dd8448eb211c80319c');
    const [, traceId, parentId] = forwarded!.split('-');
    const spans = await waitFor(() => {
      const inTrace = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      return inTrace.length >= 2 ? inTrace : undefined;
    });
    const gatewaySpan = spans.find((s) => s.name === 'GET /api/v1/products/*');
    expect(gatewaySpan?.spanContext().spanId).toBe(parentId);
    expect(gatewaySpan?.parentSpanContext).toBeUndefined();
    // Passport's span continues the gateway's trace.
    const passportSpan = spans.find((s) => s.name === 'GET /api/v1/products/:gtin');
    expect(passportSpan?.parentSpanContext?.spanId).toBe(parentId);
  });
});
