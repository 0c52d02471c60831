import { Topics } from '@packytrace/contracts';
import { enqueueEvent, newEvent, type Pool, type PoolClient } from '@packytrace/service-kit';
import type { BrandMetricBatchPublished } from '@packytrace/contracts';
import { randomUUID } from 'node:crypto';
import {
  COUNT_FIELDS,
  newStreamState,
  type FoldedBatch,
  type StreamState,
  type VisitorLink,
} from '../domain/fold';
import { brandBatches, type ClosedCell, type NoiseSettings } from '../domain/publication';
import { EventIdSet, type PackedEventIds } from '../domain/event-ids';
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

/** Window start (ms) → ids of the Brand facts counted in it. */
export type CountedIds = Map<number, EventIdSet>;

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
    const [clock, links, optOuts, decisionSeqs, offsets, counted] = await Promise.all([
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
      this.pool.query<{ account_id: string; decision_seq: string }>(
        'SELECT account_id, decision_seq FROM analytics_decision_seqs WHERE pipeline = $1',
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
    for (const s of decisionSeqs.rows) state.decisionSeqs.set(s.account_id, Number(s.decision_seq));
    const ids: CountedIds = new Map();
    for (const { window_start, event_ids } of counted.rows) {
      const window = window_start.getTime();
      let set = ids.get(window);
      if (!set) ids.set(window, (set = new EventIdSet()));
      set.addPacked(event_ids);
    }
    return {
      state,
      offsets: new Map(offsets.rows.map((o) => [offsetKey(o.topic, o.partition), BigInt(o.next_offset)])),
      counted: ids,
    };
  }

  /**
   * Stores one folded batch: first, when it has any, the analytics withdrawals (the subjects leave the
   * open windows, see eraseSubjects); then the ids of the facts it counted (one packed row per window,
   * see migration 003), counts, subject hashes with their shares, the offsets and the clock in ONE
   * statement, fenced by the leader's epoch; then links (merging the visitor's hashes in open windows
   * into the account's) and opt-outs with their decisions' numbers. `db` is a transaction's client, or the pool when the statement
   * alone is the transaction (a batch without links or consents). Returns false, having written
   * nothing, when another instance leads the pipeline since `epoch` (a takeover in progress is waited
   * for: FOR SHARE).
   */
  async storeBatch(
    db: Pool | PoolClient,
    input: {
      epoch: number;
      batch: FoldedBatch;
      counted: Map<number, PackedEventIds>;
      state: StreamState;
      offsets: OffsetMap;
      malformed: number;
      hasher: SubjectHasher;
      windowMs: number;
    },
  ): Promise<boolean> {
    const { batch, state, hasher, counted } = input;
    if (
      (batch.links.length > 0 || batch.consentChanges.size > 0 || batch.erasures.size > 0) &&
      !('release' in db)
    )
      throw new Error('a batch with links or consent changes is stored in a transaction');
    // Before the batch's counts: those of a subject that withdrew within the batch came after it.
    if (batch.erasures.size > 0) await this.eraseSubjects(db, input.epoch, batch.erasures, hasher);
    const cells = [...batch.cells.values()];
    const ordinal = new Map([...batch.cells.keys()].map((key, i) => [key, i + 1]));
    const subjectCells: number[] = [];
    const hashes: Buffer[] = [];
    const shares = {
      scans: [] as number[],
      fridgeAdds: [] as number[],
      consumed: [] as number[],
      discarded: [] as number[],
    };
    for (const [key, subjects] of batch.subjects) {
      const cell = batch.cells.get(key)!;
      for (const [subject, share] of subjects) {
        subjectCells.push(ordinal.get(key)!);
        hashes.push(hasher.hash(cell.windowStartMs, subject));
        for (const field of COUNT_FIELDS) shares[field].push(share[field]);
      }
    }
    const offsets = [...input.offsets].map(([key, next]) => {
      const at = key.lastIndexOf(':');
      return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)), next: next.toString() };
    });
    const windows = [...counted.keys()];
    // Every write is conditioned on `leader`; the subject hashes join the cells they belong to by the
    // cells' position in the batch (1-based ordinality of the cell arrays), and add their shares to what
    // an earlier batch stored for the same subject.
    const { rows } = await db.query<{ leading: boolean }>(
      `WITH leader AS (
         SELECT epoch FROM stream_leader WHERE pipeline = $1 AND epoch = $2 FOR SHARE
       ), counted AS (
         INSERT INTO counted_events (pipeline, window_start, event_ids)
         SELECT $1, w, i FROM unnest($3::timestamptz[], $4::bytea[]) AS u(w, i) WHERE EXISTS (SELECT FROM leader)
       ), batch_cells AS (
         SELECT * FROM unnest($6::uuid[], $7::text[], $8::timestamptz[], $9::int[], $10::int[], $11::int[], $12::int[])
           WITH ORDINALITY AS u(b, g, s, sc, fa, co, di, n)
       ), cells AS (
         INSERT INTO open_cells (pipeline, brand_id, gtin, window_start, window_end, scans, fridge_adds, consumed, discarded)
         SELECT $1, b, g, s, s + make_interval(secs => $5::double precision / 1000), sc, fa, co, di
         FROM batch_cells WHERE EXISTS (SELECT FROM leader)
         ORDER BY n
         ON CONFLICT (pipeline, brand_id, gtin, window_start) DO UPDATE SET
           scans = open_cells.scans + excluded.scans, fridge_adds = open_cells.fridge_adds + excluded.fridge_adds,
           consumed = open_cells.consumed + excluded.consumed, discarded = open_cells.discarded + excluded.discarded
         RETURNING id, brand_id, gtin, window_start
       ), subjects AS (
         INSERT INTO cell_subjects (cell_id, subject_hash, scans, fridge_adds, consumed, discarded)
         SELECT c.id, h.hash, h.sc, h.fa, h.co, h.di
         FROM unnest($13::int[], $14::bytea[], $23::int[], $24::int[], $25::int[], $26::int[]) AS h(n, hash, sc, fa, co, di)
         JOIN batch_cells bc ON bc.n = h.n
         JOIN cells c ON c.brand_id = bc.b AND c.gtin = bc.g AND c.window_start = bc.s
         ON CONFLICT (cell_id, subject_hash) DO UPDATE SET
           scans = cell_subjects.scans + excluded.scans, fridge_adds = cell_subjects.fridge_adds + excluded.fridge_adds,
           consumed = cell_subjects.consumed + excluded.consumed, discarded = cell_subjects.discarded + excluded.discarded
       ), offsets AS (
         INSERT INTO stream_offsets (pipeline, topic, partition, next_offset)
         SELECT $1, t, p, o FROM unnest($15::text[], $16::int[], $17::bigint[]) AS u(t, p, o)
         WHERE EXISTS (SELECT FROM leader)
         ON CONFLICT (pipeline, topic, partition) DO UPDATE SET next_offset = GREATEST(stream_offsets.next_offset, excluded.next_offset)
       ), clock AS (
         INSERT INTO stream_clock (pipeline, max_event_time, closed_before, events_counted, late_dropped, malformed)
         SELECT $1, $18::timestamptz, $19::timestamptz, $20::bigint, $21::bigint, $22::bigint WHERE EXISTS (SELECT FROM leader)
         ON CONFLICT (pipeline) DO UPDATE SET max_event_time = excluded.max_event_time, closed_before = excluded.closed_before,
           events_counted = stream_clock.events_counted + excluded.events_counted,
           late_dropped = stream_clock.late_dropped + excluded.late_dropped,
           malformed = stream_clock.malformed + excluded.malformed
       )
       SELECT EXISTS (SELECT FROM leader) AS leading`,
      [
        this.pipeline,
        input.epoch,
        windows.map((w) => new Date(w)),
        windows.map((w) => counted.get(w)!.toBuffer()),
        input.windowMs,
        cells.map((c) => c.brandId),
        cells.map((c) => c.gtin),
        cells.map((c) => new Date(c.windowStartMs)),
        cells.map((c) => c.scans),
        cells.map((c) => c.fridgeAdds),
        cells.map((c) => c.consumed),
        cells.map((c) => c.discarded),
        subjectCells,
        hashes,
        offsets.map((o) => o.topic),
        offsets.map((o) => o.partition),
        offsets.map((o) => o.next),
        state.maxEventTimeMs === null ? null : new Date(state.maxEventTimeMs),
        new Date(state.closedBeforeMs),
        batch.counted,
        batch.lateDropped,
        input.malformed,
        shares.scans,
        shares.fridgeAdds,
        shares.consumed,
        shares.discarded,
      ],
    );
    if (!rows[0]?.leading) return false;
    if (batch.links.length > 0) await this.storeLinks(db, batch.links, hasher);
    if (batch.consentChanges.size > 0) await this.storeConsents(db, batch.consentChanges, batch.decisionSeqs);
    return true;
  }

  /** Stores links and turns the visitor's hashes in every open window into the account's. */
  private async storeLinks(
    client: Pool | PoolClient,
    links: VisitorLink[],
    hasher: SubjectHasher,
  ): Promise<void> {
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
    // One statement: the visitor's hash leaves each open cell and the account's takes its place with the
    // visitor's share, added to the account's when the account is already counted there (several
    // visitors of one account collapse into one subject).
    await client.query(
      `WITH moved AS (
         DELETE FROM cell_subjects s USING open_cells c, unnest($2::timestamptz[], $3::bytea[], $4::bytea[]) AS m(w, hv, ha)
         WHERE c.pipeline = $1 AND c.window_start = m.w AND s.cell_id = c.id AND s.subject_hash = m.hv
         RETURNING s.cell_id, m.ha, s.scans, s.fridge_adds, s.consumed, s.discarded)
       INSERT INTO cell_subjects (cell_id, subject_hash, scans, fridge_adds, consumed, discarded)
       SELECT cell_id, ha, sum(scans), sum(fridge_adds), sum(consumed), sum(discarded) FROM moved GROUP BY cell_id, ha
       ON CONFLICT (cell_id, subject_hash) DO UPDATE SET
         scans = cell_subjects.scans + excluded.scans, fridge_adds = cell_subjects.fridge_adds + excluded.fridge_adds,
         consumed = cell_subjects.consumed + excluded.consumed, discarded = cell_subjects.discarded + excluded.discarded`,
      [this.pipeline, windows, visitorHashes, accountHashes],
    );
  }

  /**
   * Analytics withdrawals: each subject's hash leaves the open cells of every window ending after the
   * clock at its withdrawal (`erasures`, see withdrawFromOpenWindows in domain/fold.ts), its share leaves
   * the cells' counts, and a cell left with nothing goes too (it was never there, not even as a
   * suppressed cell). Fenced by the leader's epoch like the batch statement that follows.
   */
  private async eraseSubjects(
    client: Pool | PoolClient,
    epoch: number,
    erasures: Map<string, number>,
    hasher: SubjectHasher,
  ): Promise<void> {
    const { rows } = await client.query<{ window_start: Date; window_end: Date }>(
      'SELECT DISTINCT window_start, window_end FROM open_cells WHERE pipeline = $1',
      [this.pipeline],
    );
    const windows: Date[] = [];
    const hashes: Buffer[] = [];
    for (const { window_start, window_end } of rows) {
      for (const [subject, closedBeforeMs] of erasures) {
        if (window_end.getTime() <= closedBeforeMs) continue;
        windows.push(window_start);
        hashes.push(hasher.hash(window_start.getTime(), subject));
      }
    }
    if (windows.length === 0) return;
    const { rows: changed } = await client.query<{ id: string; emptied: boolean }>(
      `WITH leader AS (
         SELECT epoch FROM stream_leader WHERE pipeline = $1 AND epoch = $2 FOR SHARE
       ), erased AS (
         DELETE FROM cell_subjects s USING open_cells c, unnest($3::timestamptz[], $4::bytea[]) AS e(w, h)
         WHERE EXISTS (SELECT FROM leader) AND c.pipeline = $1 AND c.window_start = e.w
           AND s.cell_id = c.id AND s.subject_hash = e.h
         RETURNING s.cell_id, s.scans, s.fridge_adds, s.consumed, s.discarded
       )
       UPDATE open_cells c SET scans = c.scans - e.sc, fridge_adds = c.fridge_adds - e.fa,
         consumed = c.consumed - e.co, discarded = c.discarded - e.di
       FROM (SELECT cell_id, sum(scans) AS sc, sum(fridge_adds) AS fa, sum(consumed) AS co, sum(discarded) AS di
             FROM erased GROUP BY cell_id) e
       WHERE c.id = e.cell_id
       RETURNING c.id, c.scans = 0 AND c.fridge_adds = 0 AND c.consumed = 0 AND c.discarded = 0 AS emptied`,
      [this.pipeline, epoch, windows, hashes],
    );
    const emptied = changed.filter((c) => c.emptied).map((c) => c.id);
    if (emptied.length === 0) return;
    await client.query(
      `DELETE FROM open_cells c WHERE c.id = ANY($1::bigint[])
       AND NOT EXISTS (SELECT FROM cell_subjects s WHERE s.cell_id = c.id)`,
      [emptied],
    );
  }

  /** Opt-outs, and the number of each account's latest decision applied (it only moves forward). */
  private async storeConsents(
    client: Pool | PoolClient,
    changes: Map<string, boolean>,
    decisionSeqs: Map<string, number>,
  ): Promise<void> {
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
    if (decisionSeqs.size > 0) {
      await client.query(
        `INSERT INTO analytics_decision_seqs (pipeline, account_id, decision_seq)
         SELECT $1, a, s FROM unnest($2::uuid[], $3::bigint[]) AS u(a, s)
         ON CONFLICT (pipeline, account_id) DO UPDATE
           SET decision_seq = GREATEST(analytics_decision_seqs.decision_seq, excluded.decision_seq)`,
        [this.pipeline, [...decisionSeqs.keys()], [...decisionSeqs.values()]],
      );
    }
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
      'analytics_decision_seqs',
      'privacy_budget',
    ]) {
      await this.pool.query(`DELETE FROM ${table} WHERE pipeline = $1`, p);
    }
  }
}
