import { createHmac, hkdfSync } from 'node:crypto';
import { iso } from './windows';

/**
 * Subjects are stored only as HMAC-SHA256(keyForWindow, subjectKey) (RFC 2104), with a key per window
 * derived from the master key by HKDF-SHA256 (RFC 5869, info = the window start). The same person hashes
 * differently in every window, so hashes cannot be joined across windows, and they are deleted when the
 * window is published.
 */
export class SubjectHasher {
  private readonly keys = new Map<number, Buffer>();

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
    return createHmac('sha256', this.keyForWindow(windowStartMs)).update(subjectKey).digest();
  }

  /** Keys of published windows are not needed any more; dropping them keeps memory flat. */
  forgetWindowsBefore(timeMs: number): void {
    for (const start of this.keys.keys()) if (start < timeMs) this.keys.delete(start);
  }
}
