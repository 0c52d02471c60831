import { Topics } from '@packytrace/contracts';
import { enqueueEvent, newEvent, type Pool, type PoolClient } from '@packytrace/service-kit';
import type { BrandMetricBatchPublished } from '@packytrace/contracts';
import { randomUUID } from 'node:crypto';
import { newStreamState, type FoldedBatch, type StreamState, type VisitorLink } from '../domain/fold';
import { brandBatches, type ClosedCell, type NoiseSettings } from '../domain/publication';
import type { SubjectHasher } from '../domain/subject-hasher';
import { utcDayOf } from '../domain/windows';

/** Next offset to read per `topic:partition`. */
export type OffsetMap = Map<string, bigint>;

export interface PrivacyOptions {
  minGroupSize: number;
  windowMs: number;
  /** ε per published count and the daily ε budget per Brand; absent = no noise. */
  dp?: { epsilon: number; dailyBudget: number; uniform?: () => number };
}

export interface PipelineStatus {
  offsets: { topic: string; partition: number; nextOffset: string }[];
  eventsCounted: number;
  lateDropped: number;
  malformed: number;
  closedBefore: string | null;
  openCells: number;
}

/** Window start (ms) → ids of the Brand facts counted in it (lower-case UUID strings). */
export type CountedIds = Map<number, Set<string>>;

function uuidOf(bytes: Buffer, at: number): string {
  const hex = bytes.toString('hex', at, at + 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const offsetKey = (topic: string, partition: number) => `${topic}:${partition}`;

/** All SQL of the pipeline's state, scoped to one pipeline (consumer group) id. */
export class MeasurementRepository {
  constructor(
    private readonly pool: Pool,
    readonly pipeline: string,
  ) {}

  async loadState(): Promise<{ state: StreamState; offsets: OffsetMap; counted: CountedIds }> {
    const state = newStreamState();
    const p = [this.pipeline];
    const [clock, links, optOuts, offsets, counted] = await Promise.all([
      this.pool.query<{ max_event_time: Date | null; closed_before: Date }>(
        'SELECT max_event_time, closed_before FROM stream_clock WHERE pipeline = $1',
        p,
      ),
      this.pool.query<{ visitor_id: string; account_id: string }>(
        'SELECT visitor_id, account_id FROM visitor_links WHERE pipeline = $1',
        p,
      ),
      this.pool.query<{ account_id: string }>(
        'SELECT account_id FROM analytics_opt_outs WHERE pipeline = $1',
        p,
      ),
      this.pool.query<{ topic: string; partition: number; next_offset: string }>(
        'SELECT topic, partition, next_offset FROM stream_offsets WHERE pipeline = $1',
        p,
      ),
      this.pool.query<{ window_start: Date; event_ids: Buffer }>(
        'SELECT window_start, event_ids FROM counted_events WHERE pipeline = $1',
        p,
      ),
    ]);
    const row = clock.rows[0];
    if (row) {
      state.maxEventTimeMs = row.max_event_time?.getTime() ?? null;
      state.closedBeforeMs = row.closed_before.getTime();
    }
    for (const l of links.rows) state.links.set(l.visitor_id, l.account_id);
    for (const o of optOuts.rows) state.optedOut.add(o.account_id);
    const ids: CountedIds = new Map();
    for (const { window_start, event_ids } of counted.rows) {
      const window = window_start.getTime();
      let set = ids.get(window);
      if (!set) ids.set(window, (set = new Set()));
      for (let at = 0; at + 16 <= event_ids.length; at += 16) set.add(uuidOf(event_ids, at));
    }
    return {
      state,
      offsets: new Map(offsets.rows.map((o) => [offsetKey(o.topic, o.partition), BigInt(o.next_offset)])),
      counted: ids,
    };
  }

  /** Stores the ids a batch counted, one packed row per window (see migration 003). */
  async storeCountedIds(client: PoolClient, idsByWindow: Map<number, string[]>): Promise<void> {
    if (idsByWindow.size === 0) return;
    const windows = [...idsByWindow.keys()];
    await client.query(
      `INSERT INTO counted_events (pipeline, window_start, event_ids)
       SELECT $1, w, i FROM unnest($2::timestamptz[], $3::bytea[]) AS u(w, i)`,
      [
        this.pipeline,
        windows.map((w) => new Date(w)),
        windows.map((w) => Buffer.from(idsByWindow.get(w)!.join('').replaceAll('-', ''), 'hex')),
      ],
    );
  }

  /**
   * Stores one folded batch: counts, subject hashes, links (merging the visitor's hashes in open
   * windows into the account's), opt-outs, the clock and the offsets. Caller owns the transaction.
   */
  async storeBatch(
    client: PoolClient,
    input: {
      batch: FoldedBatch;
      state: StreamState;
      offsets: OffsetMap;
      malformed: number;
      hasher: SubjectHasher;
      windowMs: number;
    },
  ): Promise<void> {
    const { batch, state, hasher, windowMs } = input;
    const cellIds = await this.upsertCells(client, batch, windowMs);
    await this.insertSubjects(client, batch, cellIds, hasher);
    await this.storeLinks(client, batch.links, hasher);
    await this.storeConsents(client, batch.consentChanges);
    await this.storeOffsets(client, input.offsets);
    await client.query(
      `INSERT INTO stream_clock (pipeline, max_event_time, closed_before, events_counted, late_dropped, malformed)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (pipeline) DO UPDATE SET max_event_time = excluded.max_event_time, closed_before = excluded.closed_before,
         events_counted = stream_clock.events_counted + excluded.events_counted,
         late_dropped = stream_clock.late_dropped + excluded.late_dropped,
         malformed = stream_clock.malformed + excluded.malformed`,
      [
        this.pipeline,
        state.maxEventTimeMs === null ? null : new Date(state.maxEventTimeMs),
        new Date(state.closedBeforeMs),
        batch.counted,
        batch.lateDropped,
        input.malformed,
      ],
    );
  }

  private async upsertCells(
    client: PoolClient,
    batch: FoldedBatch,
    windowMs: number,
  ): Promise<Map<string, string>> {
    const cells = [...batch.cells.entries()];
    if (cells.length === 0) return new Map();
    const { rows } = await client.query<{ id: string; brand_id: string; gtin: string; window_start: Date }>(
      `INSERT INTO open_cells (pipeline, brand_id, gtin, window_start, window_end, scans, fridge_adds, consumed, discarded)
       SELECT $1, b, g, s, s + make_interval(secs => $2::double precision / 1000), sc, fa, co, di
       FROM unnest($3::uuid[], $4::text[], $5::timestamptz[], $6::int[], $7::int[], $8::int[], $9::int[])
         WITH ORDINALITY AS u(b, g, s, sc, fa, co, di, n)
       ORDER BY n
       ON CONFLICT (pipeline, brand_id, gtin, window_start) DO UPDATE SET
         scans = open_cells.scans + excluded.scans, fridge_adds = open_cells.fridge_adds + excluded.fridge_adds,
         consumed = open_cells.consumed + excluded.consumed, discarded = open_cells.discarded + excluded.discarded
       RETURNING id, brand_id, gtin, window_start`,
      [
        this.pipeline,
        windowMs,
        cells.map(([, c]) => c.brandId),
        cells.map(([, c]) => c.gtin),
        cells.map(([, c]) => new Date(c.windowStartMs)),
        cells.map(([, c]) => c.scans),
        cells.map(([, c]) => c.fridgeAdds),
        cells.map(([, c]) => c.consumed),
        cells.map(([, c]) => c.discarded),
      ],
    );
    const ids = new Map<string, string>();
    for (const r of rows) {
      ids.set(`${r.brand_id}|${r.gtin}|${r.window_start.getTime()}`, r.id);
    }
    return ids;
  }

  private async insertSubjects(
    client: PoolClient,
    batch: FoldedBatch,
    cellIds: Map<string, string>,
    hasher: SubjectHasher,
  ): Promise<void> {
    const ids: string[] = [];
    const hashes: Buffer[] = [];
    for (const [key, subjects] of batch.subjects) {
      const cell = batch.cells.get(key)!;
      const id = cellIds.get(key)!;
      for (const subject of subjects) {
        ids.push(id);
        hashes.push(hasher.hash(cell.windowStartMs, subject));
      }
    }
    if (ids.length === 0) return;
    await client.query(
      `INSERT INTO cell_subjects (cell_id, subject_hash) SELECT * FROM unnest($1::bigint[], $2::bytea[]) ON CONFLICT DO NOTHING`,
      [ids, hashes],
    );
  }

  /** Stores links and turns the visitor's hashes in every open window into the account's. */
  private async storeLinks(client: PoolClient, links: VisitorLink[], hasher: SubjectHasher): Promise<void> {
    if (links.length === 0) return;
    const last = new Map(links.map((l) => [l.visitorId, l.accountId]));
    await client.query(
      `INSERT INTO visitor_links (pipeline, visitor_id, account_id) SELECT $1, v, a FROM unnest($2::text[], $3::uuid[]) AS u(v, a)
       ON CONFLICT (pipeline, visitor_id) DO UPDATE SET account_id = excluded.account_id`,
      [this.pipeline, [...last.keys()], [...last.values()]],
    );
    const { rows } = await client.query<{ window_start: Date }>(
      'SELECT DISTINCT window_start FROM open_cells WHERE pipeline = $1',
      [this.pipeline],
    );
    const windows: Date[] = [];
    const visitorHashes: Buffer[] = [];
    const accountHashes: Buffer[] = [];
    for (const { window_start } of rows) {
      for (const link of links) {
        windows.push(window_start);
        visitorHashes.push(hasher.hash(window_start.getTime(), `visitor:${link.visitorId}`));
        accountHashes.push(hasher.hash(window_start.getTime(), `account:${link.accountId}`));
      }
    }
    if (windows.length === 0) return;
    // One statement: the visitor's hash leaves each open cell and the account's takes its place, unless
    // the account is already counted there (several visitors of one account collapse into one subject).
    await client.query(
      `WITH moved AS (
         DELETE FROM cell_subjects s USING open_cells c, unnest($2::timestamptz[], $3::bytea[], $4::bytea[]) AS m(w, hv, ha)
         WHERE c.pipeline = $1 AND c.window_start = m.w AND s.cell_id = c.id AND s.subject_hash = m.hv
         RETURNING s.cell_id, m.ha)
       INSERT INTO cell_subjects (cell_id, subject_hash) SELECT DISTINCT cell_id, ha FROM moved ON CONFLICT DO NOTHING`,
      [this.pipeline, windows, visitorHashes, accountHashes],
    );
  }

  private async storeConsents(client: PoolClient, changes: Map<string, boolean>): Promise<void> {
    const optedOut = [...changes].filter(([, out]) => out).map(([id]) => id);
    const optedIn = [...changes].filter(([, out]) => !out).map(([id]) => id);
    if (optedOut.length > 0) {
      await client.query(
        'INSERT INTO analytics_opt_outs (pipeline, account_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING',
        [this.pipeline, optedOut],
      );
    }
    if (optedIn.length > 0) {
      await client.query(
        'DELETE FROM analytics_opt_outs WHERE pipeline = $1 AND account_id = ANY($2::uuid[])',
        [this.pipeline, optedIn],
      );
    }
  }

  private async storeOffsets(client: PoolClient, offsets: OffsetMap): Promise<void> {
    if (offsets.size === 0) return;
    const entries = [...offsets].map(([key, next]) => {
      const at = key.lastIndexOf(':');
      return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)), next: next.toString() };
    });
    await client.query(
      `INSERT INTO stream_offsets (pipeline, topic, partition, next_offset)
       SELECT $1, t, p, o FROM unnest($2::text[], $3::int[], $4::bigint[]) AS u(t, p, o)
       ON CONFLICT (pipeline, topic, partition) DO UPDATE SET next_offset = GREATEST(stream_offsets.next_offset, excluded.next_offset)`,
      [
        this.pipeline,
        entries.map((e) => e.topic),
        entries.map((e) => e.partition),
        entries.map((e) => e.next),
      ],
    );
  }

  /** Moves the clock forward by wall time (idle stream) without any event. */
  async storeClosedBefore(client: PoolClient, closedBeforeMs: number): Promise<void> {
    await client.query(
      `INSERT INTO stream_clock (pipeline, closed_before) VALUES ($1, $2)
       ON CONFLICT (pipeline) DO UPDATE SET closed_before = GREATEST(stream_clock.closed_before, excluded.closed_before)`,
      [this.pipeline, new Date(closedBeforeMs)],
    );
  }

  /**
   * Publishes every window that ended at or before `closedBeforeMs` through the outbox, and deletes
   * its cells and subject hashes in the same transaction. Returns the batches enqueued.
   */
  async publishClosedWindows(
    client: PoolClient,
    closedBeforeMs: number,
    options: PrivacyOptions,
  ): Promise<BrandMetricBatchPublished[]> {
    const { rows } = await client.query<{
      id: string;
      brand_id: string;
      gtin: string;
      window_start: Date;
      window_end: Date;
      scans: number;
      fridge_adds: number;
      consumed: number;
      discarded: number;
      distinct_subjects: string;
    }>(
      `SELECT c.id, c.brand_id, c.gtin, c.window_start, c.window_end, c.scans, c.fridge_adds, c.consumed, c.discarded,
         (SELECT count(*) FROM cell_subjects s WHERE s.cell_id = c.id) AS distinct_subjects
       FROM open_cells c WHERE c.pipeline = $1 AND c.window_end <= $2
       ORDER BY c.window_start, c.brand_id, c.gtin FOR UPDATE`,
      [this.pipeline, new Date(closedBeforeMs)],
    );
    if (rows.length === 0) return [];
    const closed: ClosedCell[] = rows.map((r) => ({
      brandId: r.brand_id,
      gtin: r.gtin,
      windowStartMs: r.window_start.getTime(),
      windowEndMs: r.window_end.getTime(),
      scans: r.scans,
      distinctSubjects: Number(r.distinct_subjects),
      fridgeAdds: r.fridge_adds,
      consumed: r.consumed,
      discarded: r.discarded,
    }));
    const noise = options.dp ? await this.budgetedNoise(client, closed, options.dp) : undefined;
    const events = brandBatches(closed, options.minGroupSize, noise?.settings).map((body) =>
      newEvent<BrandMetricBatchPublished>({
        type: 'BrandMetricBatchPublished',
        batchId: randomUUID(),
        ...body,
      }),
    );
    for (const event of events) await enqueueEvent(client, Topics.brandMetrics, event, event.brandId);
    await noise?.save();
    const ids = rows.map((r) => r.id);
    await client.query('DELETE FROM cell_subjects WHERE cell_id = ANY($1::bigint[])', [ids]);
    await client.query('DELETE FROM open_cells WHERE id = ANY($1::bigint[])', [ids]);
    // Closed windows take their event ids along (also those of late events claimed but not counted).
    await client.query(
      `DELETE FROM counted_events WHERE pipeline = $1 AND window_start <= $2::timestamptz - make_interval(secs => $3::double precision / 1000)`,
      [this.pipeline, new Date(closedBeforeMs), options.windowMs],
    );
    return events;
  }

  /** A spend function over the Brands' daily ε budgets, and a save step for what was spent. */
  private async budgetedNoise(
    client: PoolClient,
    cells: ClosedCell[],
    dp: NonNullable<PrivacyOptions['dp']>,
  ) {
    const brands = [...new Set(cells.map((c) => c.brandId))];
    const { rows } = await client.query<{ brand_id: string; day: string; epsilon_spent: number }>(
      `SELECT brand_id, to_char(day, 'YYYY-MM-DD') AS day, epsilon_spent FROM privacy_budget
       WHERE pipeline = $1 AND brand_id = ANY($2::uuid[]) FOR UPDATE`,
      [this.pipeline, brands],
    );
    const spent = new Map(rows.map((r) => [`${r.brand_id}|${r.day}`, r.epsilon_spent]));
    const changed = new Set<string>();
    const settings: NoiseSettings = {
      epsilon: dp.epsilon,
      uniform: dp.uniform,
      spend: (brandId, windowStartMs) => {
        const key = `${brandId}|${utcDayOf(windowStartMs)}`;
        const next = (spent.get(key) ?? 0) + dp.epsilon;
        if (next > dp.dailyBudget + 1e-9) return false;
        spent.set(key, next);
        changed.add(key);
        return true;
      },
    };
    const save = async () => {
      if (changed.size === 0) return;
      const keys = [...changed];
      await client.query(
        `INSERT INTO privacy_budget (pipeline, brand_id, day, epsilon_spent)
         SELECT $1, b, d::date, e FROM unnest($2::uuid[], $3::text[], $4::float8[]) AS u(b, d, e)
         ON CONFLICT (pipeline, brand_id, day) DO UPDATE SET epsilon_spent = excluded.epsilon_spent`,
        [
          this.pipeline,
          keys.map((k) => k.split('|')[0]),
          keys.map((k) => k.split('|')[1]),
          keys.map((k) => spent.get(k)),
        ],
      );
    };
    return { settings, save };
  }

  async status(): Promise<PipelineStatus> {
    const p = [this.pipeline];
    const [offsets, clock, open] = await Promise.all([
      this.pool.query<{ topic: string; partition: number; next_offset: string }>(
        'SELECT topic, partition, next_offset FROM stream_offsets WHERE pipeline = $1 ORDER BY topic, partition',
        p,
      ),
      this.pool.query<{
        events_counted: string;
        late_dropped: string;
        malformed: string;
        closed_before: Date;
      }>(
        'SELECT events_counted, late_dropped, malformed, closed_before FROM stream_clock WHERE pipeline = $1',
        p,
      ),
      this.pool.query<{ n: string }>('SELECT count(*) AS n FROM open_cells WHERE pipeline = $1', p),
    ]);
    const c = clock.rows[0];
    return {
      offsets: offsets.rows.map((o) => ({
        topic: o.topic,
        partition: o.partition,
        nextOffset: o.next_offset,
      })),
      eventsCounted: Number(c?.events_counted ?? 0),
      lateDropped: Number(c?.late_dropped ?? 0),
      malformed: Number(c?.malformed ?? 0),
      closedBefore: c ? c.closed_before.toISOString() : null,
      openCells: Number(open.rows[0]!.n),
    };
  }

  /** Forgets everything of this pipeline (offsets included): the next start replays every topic. */
  async reset(): Promise<void> {
    const p = [this.pipeline];
    // No cascade (migration 002): the hashes go first, explicitly, as on publication.
    await this.pool.query(
      'DELETE FROM cell_subjects WHERE cell_id IN (SELECT id FROM open_cells WHERE pipeline = $1)',
      p,
    );
    await this.pool.query('DELETE FROM open_cells WHERE pipeline = $1', p);
    for (const table of [
      'counted_events',
      'stream_offsets',
      'stream_clock',
      'visitor_links',
      'analytics_opt_outs',
      'privacy_budget',
    ]) {
      await this.pool.query(`DELETE FROM ${table} WHERE pipeline = $1`, p);
    }
  }
}
