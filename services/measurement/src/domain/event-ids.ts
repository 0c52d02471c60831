/**
 * Event ids (UUIDs) held as 128-bit values in typed arrays rather than as strings in a Set. The
 * pipeline remembers every Brand fact's id until its window is published (hundreds of thousands per
 * window at full speed); as strings, each was a heap object the young-generation GC copied and the old
 * one traced, and the benchmark lost about a third of its rate to them. Here an id costs 16 bytes of one
 * array and no object. The byte order is the UUID's own, as `counted_events.event_ids` stores it.
 */

const WORDS = 4;

/**
 * Reads a UUID's 32 hexadecimal digits (either case, hyphens skipped) into `out` as four big-endian
 * 32-bit words. The caller has checked the spelling (the event contract's `uuid` format).
 */
export function readUuid(id: string, out: Uint32Array): void {
  let word = 0;
  let digits = 0;
  let at = 0;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c === 45) continue; // '-'
    word = (word << 4) | (c <= 57 ? c - 48 : (c | 32) - 87);
    if (++digits === 8) {
      out[at++] = word >>> 0;
      word = 0;
      digits = 0;
    }
  }
}

/** A set of 128-bit ids: open addressing with linear probing over one Uint32Array (all zero = empty slot). */
export class EventIdSet {
  private slots: Uint32Array;
  private mask: number;
  private count = 0;
  /** The nil UUID is a valid id but also the empty slot's value: it is kept aside. */
  private hasNil = false;

  constructor(capacity = 1024) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Uint32Array(size * WORDS);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count + (this.hasNil ? 1 : 0);
  }

  /** Adds the id in `words` (see readUuid); false when it was there already. */
  add(words: Uint32Array, from = 0): boolean {
    const a = words[from]!;
    const b = words[from + 1]!;
    const c = words[from + 2]!;
    const d = words[from + 3]!;
    if ((a | b | c | d) === 0) {
      if (this.hasNil) return false;
      this.hasNil = true;
      return true;
    }
    const slots = this.slots;
    let slot = hash(a, b, c, d) & this.mask;
    for (;;) {
      const at = slot * WORDS;
      if ((slots[at]! | slots[at + 1]! | slots[at + 2]! | slots[at + 3]!) === 0) break;
      if (slots[at] === a && slots[at + 1] === b && slots[at + 2] === c && slots[at + 3] === d) return false;
      slot = (slot + 1) & this.mask;
    }
    const at = slot * WORDS;
    slots[at] = a;
    slots[at + 1] = b;
    slots[at + 2] = c;
    slots[at + 3] = d;
    this.count += 1;
    if (this.count * 2 > this.mask + 1) this.grow();
    return true;
  }

  /** Adds every 16-byte id in `bytes` (as stored in `counted_events`). */
  addPacked(bytes: Uint8Array): void {
    const words = new Uint32Array(WORDS);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let at = 0; at + 16 <= bytes.length; at += 16) {
      for (let w = 0; w < WORDS; w++) words[w] = view.getUint32(at + 4 * w, false);
      this.add(words);
    }
  }

  private grow(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    this.slots = new Uint32Array(size * WORDS);
    this.mask = size - 1;
    this.count = 0;
    for (let at = 0; at < old.length; at += WORDS)
      if ((old[at]! | old[at + 1]! | old[at + 2]! | old[at + 3]!) !== 0) this.add(old, at);
  }
}

/** A growing list of ids, written out as the 16-byte values `counted_events.event_ids` packs. */
export class PackedEventIds {
  private words = new Uint32Array(64 * WORDS);
  length = 0;

  push(words: Uint32Array): void {
    if ((this.length + 1) * WORDS > this.words.length) {
      const bigger = new Uint32Array(this.words.length * 2);
      bigger.set(this.words);
      this.words = bigger;
    }
    this.words.set(words.subarray(0, WORDS), this.length * WORDS);
    this.length += 1;
  }

  toBuffer(): Buffer {
    const bytes = Buffer.allocUnsafe(this.length * 16);
    for (let i = 0; i < this.length * WORDS; i++) bytes.writeUInt32BE(this.words[i]!, i * 4);
    return bytes;
  }
}

/** Mixes the four words (MurmurHash3's finaliser over their combination): ids need not be random (UUIDv7). */
function hash(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ (c >>> 7), 0x9e3779b1) ^ Math.imul(b ^ (d << 5), 0x85ebca77) ^ c ^ d;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
