import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../services/gateway/src/service';
import { startEchoUpstream, startTestGateway } from './support';

/** One service run as two instances behind the gateway (PT_PASSPORT_URL holds both). */
describe('gateway with two instances of a service', () => {
  let first: Awaited<ReturnType<typeof startEchoUpstream>>;
  let second: Awaited<ReturnType<typeof startEchoUpstream>>;
  let gateway: RunningGateway;
  const seenBy = new Map<string, number>();

  beforeAll(async () => {
    first = await startEchoUpstream();
    second = await startEchoUpstream();
    gateway = await startTestGateway({ PT_PASSPORT_URL: `${first.url},${second.url}` });
  });

  afterAll(async () => {
    await gateway?.close();
    await second?.close();
  });

  const scan = async (i: number) => {
    const response = await fetch(`${gateway.url}/api/v1/scans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': `multi-${i}` },
      body: JSON.stringify({ code: `0${i}` }),
    });
    const body = (await response.json()) as { body?: string; headers?: Record<string, string> };
    return { status: response.status, body };
  };

  it('spreads requests over both instances', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => scan(i)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    for (const a of answers) {
      const host = a.body.headers!.host!;
      seenBy.set(host, (seenBy.get(host) ?? 0) + 1);
    }
    expect(seenBy.size).toBe(2);
    expect([...seenBy.values()].every((n) => n >= 5)).toBe(true);
  });

  it('sends every request, POSTs too, to the instance left when one stops: none is lost or refused', async () => {
    await first.close();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => scan(100 + i)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    // Each arrived once, with its own body, at the instance still running.
    expect(answers.map((a) => a.body.body).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => JSON.stringify({ code: `0${100 + i}` })).sort(),
    );
    expect(new Set(answers.map((a) => a.body.headers!.host))).toEqual(new Set([new URL(second.url).host]));
  });
});
