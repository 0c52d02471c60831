import { createServer } from 'node:net';
import type { Passport } from '@packytrace/contracts';
import { BreakerState, ServiceMetrics } from '@packytrace/service-kit';
import { quietLogger, waitFor } from '@packytrace/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonalizationClient } from '../../src/clients/personalization';

/** A port nobody listens on: every verdict call fails at once (connection refused). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('personalization circuit breaker metrics', () => {
  let client: PersonalizationClient;

  beforeAll(async () => {
    client = new PersonalizationClient({
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      internalSecret: 'breaker-test-secret-0123456789',
      timeoutMs: 200,
      resetTimeoutMs: 300,
      logger: quietLogger(),
    });
  });
  afterAll(async () => client?.close());

  it('shows the breaker opening (and half-opening after its reset timeout) in the breaker gauge', async () => {
    const metrics = new ServiceMetrics('passport');
    metrics.trackBreaker('personalization', client.breaker);
    const state = async () => {
      const line = (await metrics.exposition()).body
        .split('\n')
        .find((l) => l.startsWith('circuit_breaker_state{') && l.includes('breaker="personalization"'));
      return Number(line?.split(' ').pop());
    };
    expect(await state()).toBe(BreakerState.closed);
    const product = { gtin: '04012345678901' } as unknown as Passport;
    for (let i = 0; i < 6; i++) {
      expect((await client.verdictFor('account-1', product)).verdictStatus).toBe('unavailable');
    }
    expect(client.circuitOpen).toBe(true);
    expect(await state()).toBe(BreakerState.open);
    await waitFor(async () => ((await state()) === BreakerState.halfOpen ? true : undefined), 5_000);
  });
});
