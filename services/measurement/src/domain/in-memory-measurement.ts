import {
  COUNT_FIELDS,
  emptyBatch,
  foldEvents,
  newStreamState,
  noCounts,
  type CellCounts,
  type EventCounts,
  type FoldedBatch,
  type MeasuredEvent,
  type MeasurementSettings,
  type StreamState,
} from './fold';
import { brandBatches, type BatchBody, type ClosedCell, type NoiseSettings } from './publication';
import type { SubjectHasher } from './subject-hasher';

/**
 * The whole aggregation with its state in memory: the same fold, hashing, visitor merge and
 * publication as the database-backed pipeline. The property tests drive it as a pure function of the
 * event stream; the repository mirrors each step in SQL.
 */
export class InMemoryMeasurement {
  readonly state: StreamState = newStreamState();
  private readonly cells = new Map<string, CellCounts>();
  /** Cell key → subject hash → the subject's share of the cell's counts. */
  private readonly subjects = new Map<string, Map<string, EventCounts>>();
  readonly published: BatchBody[] = [];

  constructor(
    private readonly settings: MeasurementSettings,
    private readonly hasher: SubjectHasher,
    private readonly noise?: NoiseSettings,
  ) {}

  /** One batch, as the repository stores it: withdrawals first, then the counts, then the links. */
  apply(events: MeasuredEvent[]): FoldedBatch {
    const batch = foldEvents(this.state, events, this.settings, emptyBatch());
    for (const [subject, closedBeforeMs] of batch.erasures) this.erase(subject, closedBeforeMs);
    for (const [key, delta] of batch.cells) this.addCounts(key, delta);
    for (const [key, shares] of batch.subjects) {
      const windowStartMs = this.cells.get(key)!.windowStartMs;
      const stored = this.subjectsOf(key);
      for (const [subject, share] of shares)
        addShare(stored, this.hasher.hash(windowStartMs, subject).toString('hex'), share);
    }
    for (const link of batch.links) this.mergeVisitor(link.visitorId, link.accountId);
    this.closeWindows();
    return batch;
  }

  /** Every remaining window, as when the wall clock passes them on an idle stream. */
  flush(nowMs: number): void {
    this.state.closedBeforeMs = Math.max(this.state.closedBeforeMs, nowMs - this.settings.latenessMs);
    this.closeWindows();
  }

  private addCounts(key: string, delta: CellCounts): void {
    const cell = this.cells.get(key);
    if (!cell) {
      this.cells.set(key, { ...delta });
      return;
    }
    for (const field of COUNT_FIELDS) cell[field] += delta[field];
  }

  private subjectsOf(key: string): Map<string, EventCounts> {
    let shares = this.subjects.get(key);
    if (!shares) this.subjects.set(key, (shares = new Map()));
    return shares;
  }

  /** A visitor who registered: their hashes in open windows become the account's (one subject). */
  private mergeVisitor(visitorId: string, accountId: string): void {
    for (const [key, shares] of this.subjects) {
      const windowStartMs = this.cells.get(key)!.windowStartMs;
      const visitorHash = this.hasher.hash(windowStartMs, `visitor:${visitorId}`).toString('hex');
      const share = shares.get(visitorHash);
      if (!share) continue;
      shares.delete(visitorHash);
      addShare(shares, this.hasher.hash(windowStartMs, `account:${accountId}`).toString('hex'), share);
    }
  }

  /** A withdrawal: the subject's hash and its share of the counts leave every window ending after `closedBeforeMs`. */
  private erase(subjectKey: string, closedBeforeMs: number): void {
    for (const [key, shares] of this.subjects) {
      const cell = this.cells.get(key)!;
      if (cell.windowStartMs + this.settings.windowMs <= closedBeforeMs) continue;
      const hash = this.hasher.hash(cell.windowStartMs, subjectKey).toString('hex');
      const share = shares.get(hash);
      if (!share) continue;
      shares.delete(hash);
      for (const field of COUNT_FIELDS) cell[field] -= share[field];
      if (shares.size === 0 && COUNT_FIELDS.every((field) => cell[field] === 0)) {
        this.cells.delete(key);
        this.subjects.delete(key);
      }
    }
  }

  private closeWindows(): void {
    const closed: ClosedCell[] = [];
    for (const [key, cell] of this.cells) {
      const windowEndMs = cell.windowStartMs + this.settings.windowMs;
      if (windowEndMs > this.state.closedBeforeMs) continue;
      closed.push({ ...cell, windowEndMs, distinctSubjects: this.subjects.get(key)?.size ?? 0 });
      this.cells.delete(key);
      this.subjects.delete(key);
    }
    closed.sort((a, b) => a.windowStartMs - b.windowStartMs || a.brandId.localeCompare(b.brandId));
    this.published.push(...brandBatches(closed, this.settings.minGroupSize, this.noise));
  }
}

function addShare(shares: Map<string, EventCounts>, hash: string, share: EventCounts): void {
  let stored = shares.get(hash);
  if (!stored) shares.set(hash, (stored = noCounts()));
  for (const field of COUNT_FIELDS) stored[field] += share[field];
}
