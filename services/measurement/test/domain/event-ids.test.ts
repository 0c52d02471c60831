import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventIdSet, PackedEventIds, readUuid } from '../../src/domain/event-ids';

const words = (id: string) => {
  const out = new Uint32Array(4);
  readUuid(id, out);
  return out;
};
const hexOf = (id: string) => id.replaceAll('-', '').toLowerCase();

describe('event ids held as 128-bit values', () => {
  it('reads a UUID into its four big-endian words, either case', () => {
    expect([...words('00112233-4455-6677-8899-aabbccddeeff')]).toEqual([
      0x00112233, 0x44556677, 0x8899aabb, 0xccddeeff,
    ]);
    expect([...words('00112233-4455-6677-8899-AABBCCDDEEFF')]).toEqual([
      ...words('00112233-4455-6677-8899-aabbccddeeff'),
    ]);
  });

  it('answers like a Set of the lower-case ids, through growth, duplicates and the nil UUID', () => {
    const ids = fc.oneof(
      fc.uuid(),
      fc.constant('00000000-0000-0000-0000-000000000000'),
      fc.constantFrom('0190c1d2-0000-7000-8000-000000000001', '0190c1d2-0000-7000-8000-000000000002'),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(ids, fc.boolean()), { maxLength: 3000 }), (stream) => {
        const set = new EventIdSet(4);
        const reference = new Set<string>();
        for (const [id, upper] of stream) {
          const spelled = upper ? id.toUpperCase() : id;
          const fresh = !reference.has(hexOf(id));
          reference.add(hexOf(id));
          expect(set.add(words(spelled))).toBe(fresh);
        }
        expect(set.size).toBe(reference.size);
      }),
      { numRuns: 60 },
    );
  });

  it('packs ids as the 16 bytes of the UUID, and a set loaded from them knows each one', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uuid(), { maxLength: 500 }), (list) => {
        const packed = new PackedEventIds();
        for (const id of list) packed.push(words(id));
        const bytes = packed.toBuffer();
        expect(bytes.toString('hex')).toBe(list.map(hexOf).join(''));
        const loaded = new EventIdSet();
        loaded.addPacked(bytes);
        expect(loaded.size).toBe(list.length);
        for (const id of list) expect(loaded.add(words(id))).toBe(false);
      }),
      { numRuns: 40 },
    );
  });
});
