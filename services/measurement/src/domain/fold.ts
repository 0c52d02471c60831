import type { EventOf, Topics } from '@packytrace/contracts';
import { windowStartOf } from './windows';

/** The facts the pipeline reads (docs/API.md, Kafka topics). */
export type MeasuredEvent =
  | EventOf<typeof Topics.productScanned>
  | EventOf<typeof Topics.fridgeItems>
  | EventOf<typeof Topics.accounts>
  | EventOf<typeof Topics.consents>;

export interface MeasurementSettings {
  windowMs: number;
  latenessMs: number;
  minGroupSize: number;
  /**
   * While a restarted pipeline reads its partitions' backlog (one partition may be read well ahead of
   * another), the clock still learns event times but closes no window: events an uninterrupted run
   * would have counted are not dropped as late. The pipeline clears it once caught up.
   */
  holdClosing?: boolean;
}

/**
 * What the fold needs to remember between events. `closedBefore`: every window ending at or before it
 * is closed (published or about to be), so its late events are dropped. It only moves forward.
 */
export interface StreamState {
  maxEventTimeMs: number | null;
  closedBeforeMs: number;
  /** visitor id → account id: a visitor who registers stays one subject. */
  links: Map<string, string>;
  /** Accounts that withdrew the `analytics` consent. */
  optedOut: Set<string>;
  /**
   * Account id → `consentSeq` of the latest `analytics` decision applied (of those that carry one): a
   * decision numbered no higher is an older one read late or resent, and changes nothing.
   */
  decisionSeqs: Map<string, number>;
}

/** The events a cell (or one subject's share of it) counts, by kind. */
export interface EventCounts {
  scans: number;
  fridgeAdds: number;
  consumed: number;
  discarded: number;
}

export interface CellCounts extends EventCounts {
  brandId: string;
  gtin: string;
  windowStartMs: number;
}

export const COUNT_FIELDS = ['scans', 'fridgeAdds', 'consumed', 'discarded'] as const;
type CountField = (typeof COUNT_FIELDS)[number];

export const noCounts = (): EventCounts => ({ scans: 0, fridgeAdds: 0, consumed: 0, discarded: 0 });

export interface VisitorLink {
  visitorId: string;
  accountId: string;
}

/** The effects of a run of events, to be stored in one transaction. */
export interface FoldedBatch {
  cells: Map<string, CellCounts>;
  /**
   * Cell key → subject key → that subject's share of the cell's counts (clear text in memory only;
   * hashed before it is stored). The shares let a withdrawal take a person's events out again.
   */
  subjects: Map<string, Map<string, EventCounts>>;
  links: VisitorLink[];
  /** account id → true when opted out, false when opted back in. */
  consentChanges: Map<string, boolean>;
  /** account id → `consentSeq` of its latest decision applied in this batch (when it carried one). */
  decisionSeqs: Map<string, number>;
  /**
   * Subject key → the clock's `closedBeforeMs` when the subject left the analytics (see
   * withdrawFromOpenWindows): what was stored for it before this batch leaves every window ending after
   * that, before the batch's own counts are added. Its contributions within the batch are already out.
   */
  erasures: Map<string, number>;
  lateDropped: number;
  counted: number;
}

export const ANALYTICS_PURPOSE = 'analytics';

export const cellKey = (brandId: string, gtin: string, windowStartMs: number): string =>
  `${brandId}|${gtin}|${windowStartMs}`;

export function emptyBatch(): FoldedBatch {
  return {
    cells: new Map(),
    subjects: new Map(),
    links: [],
    consentChanges: new Map(),
    decisionSeqs: new Map(),
    erasures: new Map(),
    lateDropped: 0,
    counted: 0,
  };
}

export function newStreamState(): StreamState {
  return {
    maxEventTimeMs: null,
    closedBeforeMs: 0,
    links: new Map(),
    optedOut: new Set(),
    decisionSeqs: new Map(),
  };
}

/** The subject an event counts for: the account, or the visitor's account once linked. */
function subjectKeyOf(
  kind: 'account' | 'visitor' | 'anonymous',
  id: string | undefined,
  links: Map<string, string>,
): string | null {
  if (!id || kind === 'anonymous') return null;
  if (kind === 'visitor') {
    const accountId = links.get(id);
    return accountId ? `account:${accountId}` : `visitor:${id}`;
  }
  return `account:${id}`;
}

interface Measurable {
  brandId: string | null;
  gtin: string;
  timeMs: number;
  field: CountField;
  subjectKey: string | null;
  accountId: string | null;
}

/** Brand-level facts in an event, or null for identity and consent facts. */
function measurableOf(event: MeasuredEvent, links: Map<string, string>): Measurable | null {
  switch (event.type) {
    case 'ProductScanned': {
      const subjectKey = subjectKeyOf(event.subject.kind, event.subject.id, links);
      const accountId = subjectKey?.startsWith('account:') ? subjectKey.slice(8) : null;
      return {
        brandId: event.brandId,
        gtin: event.gtin,
        timeMs: Date.parse(event.scannedAt),
        field: 'scans',
        subjectKey,
        accountId,
      };
    }
    case 'ItemAddedToFridge':
    case 'ItemConsumed':
    case 'ItemDiscarded': {
      const field =
        event.type === 'ItemAddedToFridge'
          ? 'fridgeAdds'
          : event.type === 'ItemConsumed'
            ? 'consumed'
            : 'discarded';
      return {
        brandId: event.brandId,
        gtin: event.gtin,
        timeMs: Date.parse(event.occurredAt),
        field,
        subjectKey: `account:${event.accountId}`,
        accountId: event.accountId,
      };
    }
    default:
      return null;
  }
}

function applyIdentityFact(
  event: MeasuredEvent,
  state: StreamState,
  batch: FoldedBatch,
  settings: MeasurementSettings,
): void {
  if ((event.type === 'AccountRegistered' || event.type === 'VisitorLinkedToAccount') && event.visitorId) {
    state.links.set(event.visitorId, event.accountId);
    batch.links.push({ visitorId: event.visitorId, accountId: event.accountId });
    // The visitor is the account's now: what it did while anonymous leaves with the account's opt-out.
    if (state.optedOut.has(event.accountId))
      withdrawFromOpenWindows(`visitor:${event.visitorId}`, state, batch, settings);
  } else if (
    (event.type === 'ConsentWithdrawn' || event.type === 'ConsentGranted') &&
    event.purpose === ANALYTICS_PURPOSE
  ) {
    if (event.consentSeq !== undefined) {
      // Identity numbers an account's decisions in commit order; events without a number (older
      // producers) are applied in the order read, as before.
      const latest = state.decisionSeqs.get(event.accountId);
      if (latest !== undefined && event.consentSeq <= latest) return;
      state.decisionSeqs.set(event.accountId, event.consentSeq);
      batch.decisionSeqs.set(event.accountId, event.consentSeq);
    }
    const optedOut = event.type === 'ConsentWithdrawn';
    if (optedOut) state.optedOut.add(event.accountId);
    else state.optedOut.delete(event.accountId);
    batch.consentChanges.set(event.accountId, optedOut);
    if (!optedOut) return;
    for (const subject of subjectsOfAccount(event.accountId, state, batch))
      withdrawFromOpenWindows(subject, state, batch, settings);
  }
}

/**
 * The subject keys an account's events may still be counted under: its own, and those of visitors
 * linked to it in this batch. A visitor linked in an earlier batch was merged into the account in
 * every open window when that batch was stored, and counts for the account since.
 */
function subjectsOfAccount(accountId: string, state: StreamState, batch: FoldedBatch): Set<string> {
  const subjects = new Set([`account:${accountId}`]);
  for (const { visitorId } of batch.links)
    if (state.links.get(visitorId) === accountId) subjects.add(`visitor:${visitorId}`);
  return subjects;
}

/**
 * "An account that withdraws [analytics] leaves future aggregates" (docs/API.md): every window still
 * open (not closed by the clock at this point of the stream, so not yet published) loses the subject,
 * with every count it contributed. Its shares in this batch go now; what was stored before the batch
 * goes when the batch is stored (`erasures`, kept at the first withdrawal of the batch: the clock only
 * moves forward, so that one reaches the most windows).
 */
function withdrawFromOpenWindows(
  subjectKey: string,
  state: StreamState,
  batch: FoldedBatch,
  settings: MeasurementSettings,
): void {
  if (!batch.erasures.has(subjectKey)) batch.erasures.set(subjectKey, state.closedBeforeMs);
  for (const [key, subjects] of batch.subjects) {
    const share = subjects.get(subjectKey);
    const cell = batch.cells.get(key)!;
    if (!share || cell.windowStartMs + settings.windowMs <= state.closedBeforeMs) continue;
    subjects.delete(subjectKey);
    if (subjects.size === 0) batch.subjects.delete(key);
    for (const field of COUNT_FIELDS) cell[field] -= share[field];
    // A cell nobody else contributed to was never there (not even as a suppressed cell).
    if (COUNT_FIELDS.every((field) => cell[field] === 0)) batch.cells.delete(key);
  }
}

/**
 * Folds events, in order, into cell counts and subject shares, event by event so that the result does
 * not depend on how the stream was cut into batches. The watermark is the largest event time seen minus
 * the allowed lateness; an event whose window ended at or before it is dropped as late.
 * Mutates `state` (the caller persists it with the batch).
 */
export function foldEvents(
  state: StreamState,
  events: Iterable<MeasuredEvent>,
  settings: MeasurementSettings,
  batch = emptyBatch(),
): FoldedBatch {
  for (const event of events) foldEvent(state, event, settings, batch);
  return batch;
}

/**
 * Folds one event (see foldEvents); the pipeline folds each message as it arrives. `accept` is asked
 * about each Brand fact of a window still open, before it touches anything: false (an event counted
 * before, resent) leaves it out.
 */
export function foldEvent(
  state: StreamState,
  event: MeasuredEvent,
  settings: MeasurementSettings,
  batch: FoldedBatch,
  accept?: (event: MeasuredEvent, windowStartMs: number) => boolean,
): void {
  const fact = measurableOf(event, state.links);
  if (!fact) {
    applyIdentityFact(event, state, batch, settings);
    return;
  }
  if (!fact.brandId || Number.isNaN(fact.timeMs)) return;
  const windowStartMs = windowStartOf(fact.timeMs, settings.windowMs);
  if (windowStartMs + settings.windowMs <= state.closedBeforeMs) {
    batch.lateDropped += 1;
    return;
  }
  if (accept && !accept(event, windowStartMs)) return;
  advanceWatermark(state, fact.timeMs, settings);
  if (fact.accountId && state.optedOut.has(fact.accountId)) return;
  countFact(batch, fact, fact.brandId, windowStartMs);
}

function advanceWatermark(state: StreamState, timeMs: number, settings: MeasurementSettings): void {
  if (state.maxEventTimeMs === null || timeMs > state.maxEventTimeMs) state.maxEventTimeMs = timeMs;
  if (!settings.holdClosing) closeByWatermark(state, settings);
}

/** Closes what the largest event time seen, less the allowed lateness, has passed. */
export function closeByWatermark(state: StreamState, settings: MeasurementSettings): void {
  if (state.maxEventTimeMs === null) return;
  state.closedBeforeMs = Math.max(state.closedBeforeMs, state.maxEventTimeMs - settings.latenessMs);
}

function countFact(batch: FoldedBatch, fact: Measurable, brandId: string, windowStartMs: number): void {
  const key = cellKey(brandId, fact.gtin, windowStartMs);
  let cell = batch.cells.get(key);
  if (!cell) {
    cell = { brandId, gtin: fact.gtin, windowStartMs, ...noCounts() };
    batch.cells.set(key, cell);
  }
  cell[fact.field] += 1;
  batch.counted += 1;
  if (fact.subjectKey) {
    let subjects = batch.subjects.get(key);
    if (!subjects) batch.subjects.set(key, (subjects = new Map()));
    let share = subjects.get(fact.subjectKey);
    if (!share) subjects.set(fact.subjectKey, (share = noCounts()));
    share[fact.field] += 1;
  }
}

/** Closes windows by the wall clock when the stream is idle: no event can move the watermark then. */
export function closeByWallClock(state: StreamState, nowMs: number, settings: MeasurementSettings): void {
  state.closedBeforeMs = Math.max(state.closedBeforeMs, nowMs - settings.latenessMs);
}
