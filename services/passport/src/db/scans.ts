import type { ScanSnapshot, ScannedIdentifier } from '@packytrace/contracts';
import {
  OUTBOX_COLUMNS,
  OUTBOX_NOTIFY_SQL,
  type OutboxRowValues,
  type Pool,
  type PoolClient,
} from '@packytrace/service-kit';

type Queryable = Pick<Pool | PoolClient, 'query'>;

export interface ScanRecord {
  scanId: string;
  scannedAt: string;
  accountId?: string;
  visitorId?: string;
  identifier: ScannedIdentifier & { cpv?: string };
  rawCode: string;
  attributes: Record<string, string>;
}

export interface AccountScan {
  scanId: string;
  scannedAt: string;
  identifier: ScannedIdentifier;
  product: { gtin: string; name: string; brand: { id: string | null; name: string } };
}

const isoDate = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;
const isoTime = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

function withoutNulls<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as T;
}

function scanValues(scan: ScanRecord): unknown[] {
  const id = scan.identifier;
  return [
    scan.scanId,
    scan.scannedAt,
    scan.accountId ?? null,
    scan.visitorId ?? null,
    id.gtin,
    id.batch ?? null,
    id.serial ?? null,
    id.expiry ?? null,
    id.bestBefore ?? null,
    id.cpv ?? null,
    scan.rawCode,
    JSON.stringify(scan.attributes),
  ];
}

/** Scans: who scanned (account or visitor), what the code said, when. */
export class ScanRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Records the scan and its outbox row (`outboxRow` from the kit) in ONE statement: atomic without
   * BEGIN/COMMIT, one round trip instead of five, and the relay woken on commit.
   */
  async recordWithEvent(scan: ScanRecord, event: OutboxRowValues): Promise<void> {
    await this.pool.query(
      `WITH scan AS (
         INSERT INTO scans (scan_id, scanned_at, account_id, visitor_id, gtin, batch, serial, expiry, best_before, cpv, raw_code, attributes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)),
       event AS (INSERT INTO outbox (${OUTBOX_COLUMNS}) VALUES ($13, $14, $15, $16, $17, $18))
       SELECT ${OUTBOX_NOTIFY_SQL}`,
      [...scanValues(scan), ...event],
    );
  }

  async record(client: Queryable, scan: ScanRecord): Promise<void> {
    await client.query(
      `INSERT INTO scans (scan_id, scanned_at, account_id, visitor_id, gtin, batch, serial, expiry, best_before, cpv, raw_code, attributes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      scanValues(scan),
    );
  }

  /** An account's scans, newest first; keyset pagination on (scanned_at, scan_id). */
  async listForAccount(
    accountId: string,
    limit: number,
    after?: { scannedAt: string; scanId: string },
  ): Promise<AccountScan[]> {
    const { rows } = await this.pool.query<Record<string, string | null>>(
      `SELECT s.scan_id, ${isoTime('s.scanned_at')} AS scanned_at, s.gtin, s.batch, s.serial, ${isoDate('s.expiry')} AS expiry,
         ${isoDate('s.best_before')} AS best_before, p.name, p.brand_id, p.brand_name
       FROM scans s JOIN products p ON p.gtin = s.gtin
       WHERE s.account_id = $1 AND ($3::timestamptz IS NULL OR (s.scanned_at, s.scan_id) < ($3::timestamptz, $4::uuid))
       ORDER BY s.scanned_at DESC, s.scan_id DESC LIMIT $2`,
      [accountId, limit, after?.scannedAt ?? null, after?.scanId ?? null],
    );
    return rows.map((r) => ({
      scanId: r.scan_id!,
      scannedAt: r.scanned_at!,
      identifier: withoutNulls({
        gtin: r.gtin!,
        batch: r.batch,
        serial: r.serial,
        expiry: r.expiry,
        bestBefore: r.best_before,
      }) as ScannedIdentifier,
      product: { gtin: r.gtin!, name: r.name!, brand: { id: r.brand_id ?? null, name: r.brand_name! } },
    })) as AccountScan[];
  }

  /** What Fridge needs about a scan, only when the scan belongs to `accountId`. */
  async snapshot(scanId: string, accountId: string): Promise<ScanSnapshot | undefined> {
    const { rows } = await this.pool.query<Record<string, string | number | null>>(
      `SELECT s.scan_id, ${isoTime('s.scanned_at')} AS scanned_at, s.gtin, s.batch, ${isoDate('s.expiry')} AS expiry,
         ${isoDate('s.best_before')} AS best_before, p.name, p.brand_id, p.brand_name, p.category, p.shelf_life_days, p.expiry_kind
       FROM scans s JOIN products p ON p.gtin = s.gtin
       WHERE s.scan_id = $1 AND s.account_id = $2`,
      [scanId, accountId],
    );
    const r = rows[0];
    if (!r) return undefined;
    return withoutNulls({
      scanId: r.scan_id as string,
      scannedAt: r.scanned_at as string,
      gtin: r.gtin as string,
      name: r.name as string,
      brand: { id: r.brand_id as string | null, name: r.brand_name as string },
      category: r.category as string | null,
      batch: r.batch as string | null,
      expiry: r.expiry as string | null,
      bestBefore: r.best_before as string | null,
      shelfLifeDays: r.shelf_life_days as number,
      expiryKind: r.expiry_kind as 'use_by' | 'best_before',
    }) as ScanSnapshot;
  }
}
