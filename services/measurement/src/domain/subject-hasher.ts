import { createHmac, hkdfSync } from 'node:crypto';
import { iso } from './windows';

/** Hashes remembered per window: enough for a busy hour's regulars, small enough to stay in memory. */
const MAX_REMEMBERED_PER_WINDOW = 200_000;

/**
 * Subjects are stored only as HMAC-SHA256(keyForWindow, subjectKey) (RFC 2104), with a key per window
 * derived from the master key by HKDF-SHA256 (RFC 5869, info = the window start). The same person hashes
 * differently in every window, so hashes cannot be joined across windows, and they are deleted when the
 * window is published.
 *
 * A subject seen again in the same window reuses its hash (one HMAC per person and window instead of one
 * per batch and cell). The memo lives in process memory only, next to the key that could recompute it,
 * and is dropped with the key when the window is published.
 */
export class SubjectHasher {
  private readonly keys = new Map<number, Buffer>();
  private readonly remembered = new Map<number, Map<string, Buffer>>();

  constructor(private readonly masterKey: string) {
    if (masterKey.length < 32) throw new Error('the measurement hash key must have at least 32 characters');
  }

  keyForWindow(windowStartMs: number): Buffer {
    let key = this.keys.get(windowStartMs);
    if (!key) {
      key = Buffer.from(
        hkdfSync('sha256', this.masterKey, 'packytrace/measurement/v1', `window:${iso(windowStartMs)}`, 32),
      );
      this.keys.set(windowStartMs, key);
    }
    return key;
  }

  hash(windowStartMs: number, subjectKey: string): Buffer {
    let memo = this.remembered.get(windowStartMs);
    if (!memo) this.remembered.set(windowStartMs, (memo = new Map()));
    let hash = memo.get(subjectKey);
    if (!hash) {
      hash = createHmac('sha256', this.keyForWindow(windowStartMs)).update(subjectKey).digest();
      if (memo.size >= MAX_REMEMBERED_PER_WINDOW) memo.clear();
      memo.set(subjectKey, hash);
    }
    return hash;
  }

  /** Keys of published windows are not needed any more; dropping them keeps memory flat. */
  forgetWindowsBefore(timeMs: number): void {
    for (const start of this.keys.keys()) if (start < timeMs) this.keys.delete(start);
    for (const start of this.remembered.keys()) if (start < timeMs) this.remembered.delete(start);
  }
}
