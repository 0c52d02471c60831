import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InternalClient, UpstreamUnavailable } from '../src/http-client';

const SECRET = 'http-client-test-secret';

/** One instance of a service: answers `{ instance }` with 200 (or 500, or never) and records what it got. */
interface Instance {
  url: string;
  received: string[];
  close(): Promise<void>;
}

async function startInstance(name: string, answer: 'ok' | 'fail' | 'hang' = 'ok'): Promise<Instance> {
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      if (answer === 'hang') return;
      res.writeHead(answer === 'ok' ? 200 : 500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ instance: name }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The URL of a port that was free a moment ago and nothing listens on: an instance that is down. */
async function closedUrl(): Promise<string> {
  const instance = await startInstance('gone');
  await instance.close();
  return instance.url;
}

const clients: InternalClient[] = [];
const clientOf = (baseUrl: string, timeoutMs?: number) => {
  const client = new InternalClient({ service: 'identity', baseUrl, internalSecret: SECRET, timeoutMs });
  clients.push(client);
  return client;
};
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('InternalClient over several instances of a service', () => {
  let first: Instance;
  let second: Instance;
  let down: string;
  let otherDown: string;

  beforeAll(async () => {
    first = await startInstance('first');
    second = await startInstance('second');
    down = await closedUrl();
    otherDown = await closedUrl();
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });
  afterEach(() => {
    first.received.length = 0;
    second.received.length = 0;
  });

  it('spreads calls over every instance of a comma-separated URL setting', async () => {
    const client = clientOf(` ${first.url}, ${second.url}/ ,`);
    const answers = [];
    for (let i = 0; i < 10; i++)
      answers.push(await client.call<{ instance: string }>('GET', `/internal/n/${i}`));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(first.received).toHaveLength(5);
    expect(second.received).toHaveLength(5);
  });

  it('still succeeds, POSTs included, through the other instance while one refuses connections', async () => {
    const client = clientOf(`${down},${first.url}`);
    for (let i = 0; i < 6; i++) {
      const answer = await client.call<{ instance: string }>('POST', '/internal/verdicts', { body: { i } });
      expect(answer).toEqual({ status: 200, body: { instance: 'first' } });
    }
    // Each call arrived exactly once.
    expect(first.received).toEqual(Array(6).fill('POST /internal/verdicts'));
  });

  it('throws UpstreamUnavailable (unreachable) when every instance refuses', async () => {
    const client = clientOf(`${down},${otherDown}`);
    const failure = await client.call('GET', '/internal/anything').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamUnavailable);
    expect(failure).toMatchObject({ service: 'identity', reason: 'unreachable' });
  });

  it('does not send a POST to another instance after one answered 5xx or timed out', async () => {
    const failing = await startInstance('failing', 'fail');
    const hanging = await startInstance('hanging', 'hang');
    try {
      const answered = await clientOf(`${failing.url},${first.url}`).call('POST', '/internal/verdicts', {
        body: {},
      });
      expect(answered.status).toBe(500);
      const timedOut = await clientOf(`${hanging.url},${first.url}`, 200)
        .call('POST', '/internal/verdicts', { body: {} })
        .catch((error: unknown) => error);
      expect(timedOut).toMatchObject({ name: 'UpstreamUnavailable', reason: 'timeout' });
      expect(first.received).toEqual([]);
    } finally {
      await failing.close();
      await hanging.close();
    }
  });

  it('refuses a URL setting with an entry that is not an http(s) URL when it is built', () => {
    expect(() => clientOf(`${first.url},identity:8101`)).toThrow(
      /identity: "identity:8101" in the URL setting is not an http\(s\) URL/,
    );
    expect(() => clientOf(`${first.url},http//b:8101`)).toThrow(/"http\/\/b:8101"/);
    expect(() => clientOf(' , ')).toThrow(/identity: the URL setting lists no URL/);
  });
});

describe('InternalClient with one URL', () => {
  it('answers as before, and a refused connection is UpstreamUnavailable (unreachable)', async () => {
    const only = await startInstance('only');
    try {
      expect(await clientOf(only.url).call('GET', '/internal/x')).toEqual({
        status: 200,
        body: { instance: 'only' },
      });
    } finally {
      await only.close();
    }
    const failure = await clientOf(await closedUrl())
      .call('GET', '/internal/x')
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'UpstreamUnavailable', reason: 'unreachable' });
  });
});
