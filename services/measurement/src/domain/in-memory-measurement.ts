import {
  emptyBatch,
  foldEvents,
  newStreamState,
  type CellCounts,
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
  private readonly subjects = new Map<string, Set<string>>();
  readonly published: BatchBody[] = [];

  constructor(
    private readonly settings: MeasurementSettings,
    private readonly hasher: SubjectHasher,
    private readonly noise?: NoiseSettings,
  ) {}

  apply(events: MeasuredEvent[]): FoldedBatch {
    const batch = foldEvents(this.state, events, this.settings, emptyBatch());
    for (const [key, delta] of batch.cells) this.addCounts(key, delta);
    for (const [key, keys] of batch.subjects) {
      const windowStartMs = this.cells.get(key)!.windowStartMs;
      const hashes = this.subjectsOf(key);
      for (const subject of keys) hashes.add(this.hasher.hash(windowStartMs, subject).toString('hex'));
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
    cell.scans += delta.scans;
    cell.fridgeAdds += delta.fridgeAdds;
    cell.consumed += delta.consumed;
    cell.discarded += delta.discarded;
  }

  private subjectsOf(key: string): Set<string> {
    let set = this.subjects.get(key);
    if (!set) this.subjects.set(key, (set = new Set()));
    return set;
  }

  /** A visitor who registered: their hashes in open windows become the account's (one subject). */
  private mergeVisitor(visitorId: string, accountId: string): void {
    for (const [key, hashes] of this.subjects) {
      const windowStartMs = this.cells.get(key)!.windowStartMs;
      const visitorHash = this.hasher.hash(windowStartMs, `visitor:${visitorId}`).toString('hex');
      if (hashes.delete(visitorHash))
        hashes.add(this.hasher.hash(windowStartMs, `account:${accountId}`).toString('hex'));
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
