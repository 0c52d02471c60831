import { randomUUID } from 'node:crypto';
import type { ScanSnapshot } from '@packytrace/contracts';
import { createServiceApp, requireAccount, notFound, type ServiceApp } from '@packytrace/service-kit';
import { quietLogger, roleDatabaseUrl, TEST_INTERNAL_SECRET, testEnv } from '@packytrace/testing';
import { loadConfig } from '../src/config';
import { startFridgeService, type RunningFridge } from '../src/service';

/**
 * A stand-in for Passport's internal snapshot endpoint over real HTTP (a sibling service, not a
 * database or Kafka): it answers only with the scans registered for the asking account.
 */
export class FakePassport {
  private readonly scans = new Map<string, { accountId: string; snapshot: ScanSnapshot }>();
  private app?: ServiceApp;
  url = '';
  calls = 0;
  /** A GTIN of this instance only, so recalls published by other tests never touch these items. */
  readonly gtin = `0${String(Math.floor(Math.random() * 1e13)).padStart(13, '0')}`;

  async start(): Promise<this> {
    this.app = createServiceApp({
      name: 'fake-passport',
      logger: quietLogger(),
      internalSecret: TEST_INTERNAL_SECRET,
    });
    this.app.get('/internal/scans/:scanId/snapshot', async (request) => {
      this.calls += 1;
      const accountId = requireAccount(request);
      const scan = this.scans.get((request.params as { scanId: string }).scanId);
      if (!scan || scan.accountId !== accountId) throw notFound('scan_not_found', 'No such scan.');
      return scan.snapshot;
    });
    this.url = await this.app.listen({ host: '127.0.0.1', port: 0 });
    return this;
  }

  /** Registers a scan of `accountId` and returns its id. */
  scan(accountId: string, extra: Partial<ScanSnapshot> = {}): string {
    const scanId = randomUUID();
    this.scans.set(scanId, {
      accountId,
      snapshot: {
        scanId,
        scannedAt: new Date().toISOString(),
        gtin: this.gtin,
        name: 'Nordhavn Skyr Natural',
        brand: { id: '8a1f2c3d-0000-4000-8000-000000000001', name: 'Nordhavn Foods' },
        category: 'dairy',
        shelfLifeDays: 14,
        expiryKind: 'use_by',
        ...extra,
      },
    });
    return scanId;
  }

  async close(): Promise<void> {
    await this.app?.close();
  }
}

/** Starts the fridge service in-process against the real PostgreSQL and Kafka. */
export async function startFridge(
  passportUrl: string,
  extra: Record<string, string> = {},
): Promise<RunningFridge> {
  const config = loadConfig({
    PT_HTTP_PORT: '0',
    PT_DB_URL: roleDatabaseUrl('fridge_svc'),
    PT_INTERNAL_SECRET: TEST_INTERNAL_SECRET,
    PT_KAFKA_BROKERS: testEnv().kafkaBrokers.join(','),
    PT_PASSPORT_URL: passportUrl,
    PT_LOG_LEVEL: 'silent',
    // Its own consumer group, so a dev-stack Fridge on the same Kafka never takes this test's recalls.
    PT_FRIDGE_CONSUMER_GROUP: `fridge-test-${randomUUID()}`,
    ...extra,
  });
  return startFridgeService(config, quietLogger('fridge'));
}

// Tests read JSON loosely and assert the shape they rely on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the service as the gateway would, with the internal token and the account's identity. */
export function clientFor(baseUrl: string, accountId: string) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return async function call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers: {
        'x-internal-token': TEST_INTERNAL_SECRET,
        'x-account-id': accountId,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text ? JSON.parse(text) : undefined) as T,
      headers: response.headers,
    };
  };
}
