import { randomUUID, createHmac } from 'node:crypto';
import { decodeEvent } from '@packytrace/service-kit';
import { Topics } from '@packytrace/contracts';
import { foldEvents, newStreamState } from '../../services/measurement/src/domain/fold';
import { SubjectHasher } from '../../services/measurement/src/domain/subject-hasher';
const N = 100_000;
const brandId = randomUUID();
const start = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
const values: string[] = [];
for (let j = 0; j < N; j++) {
  const at = new Date(start + Math.floor((j / N) * 3_600_000)).toISOString();
  values.push(JSON.stringify({ eventId: randomUUID(), type: 'ProductScanned', occurredAt: at, scanId: randomUUID(),
    gtin: String(40_123_450_000_00 + (j % 20)).padStart(14, '0'), brandId,
    subject: j % 10 === 0 ? { kind: 'anonymous' } : { kind: 'visitor', id: `bench-visitor-${j % 20000}` }, scannedAt: at }));
}
function time(label: string, f: () => void) { for (let r = 0; r < 3; r++) { const t = performance.now(); f(); const ms = performance.now() - t; if (r === 2) console.log(label, (ms * 1000 / N).toFixed(2), 'µs/event'); } }
time('JSON.parse', () => { for (const v of values) JSON.parse(v); });
const parsed = values.map((v) => JSON.parse(v));
let decoded: any[] = [];
time('decodeEvent', () => { decoded = values.map((v) => decodeEvent(Topics.productScanned, v)); });
const events = decoded.map((d) => d.event);
time('fold', () => { foldEvents(newStreamState(), events, { windowMs: 3_600_000, latenessMs: 300_000, minGroupSize: 50 }); });
const b = foldEvents(newStreamState(), events, { windowMs: 3_600_000, latenessMs: 300_000, minGroupSize: 50 });
let n = 0; for (const s of b.subjects.values()) n += s.size; console.log('subjects', n, 'cells', b.cells.size);
const h = new SubjectHasher('bench-measurement-hash-key-0123456789abcdef');
time('hash all subject pairs (per event)', () => { for (const [k, s] of b.subjects) { const c = b.cells.get(k)!; for (const x of s) h.hash(c.windowStartMs, x); } });
