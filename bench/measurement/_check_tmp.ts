import { randomUUID } from 'node:crypto';
import { Compile } from 'typebox/compile';
import { ProductScanned, checkEvent, Topics } from '@packytrace/contracts';
import Format from 'typebox/format';
const N = 100_000;
const start = Date.now() - 7200_000;
const vals = Array.from({ length: N }, (_, j) => { const at = new Date(start + Math.floor((j / N) * 3_600_000)).toISOString(); return JSON.stringify({ eventId: randomUUID(), type: 'ProductScanned', occurredAt: at, scanId: randomUUID(), gtin: '04012345000001', brandId: randomUUID(), subject: { kind: 'visitor', id: `v-${j}` }, scannedAt: at })});
const c = Compile(ProductScanned);
function time(label: string, f: () => void) { for (let r = 0; r < 5; r++) { const t = performance.now(); f(); const ms = performance.now() - t; if (r === 4) console.log(label, (ms * 1000 / N).toFixed(2), 'µs/event'); } }
time('parse', () => { for (const v of vals) JSON.parse(v); });
time('parse+Check', () => { for (const v of vals) c.Check(JSON.parse(v)); });
time('parse+checkEvent', () => { for (const v of vals) checkEvent(Topics.productScanned, JSON.parse(v)); });
const objs = vals.map(v => JSON.parse(v));
time('uuid x3', () => { for (const o of objs) { Format.Test('uuid', o.eventId); Format.Test('uuid', o.scanId); Format.Test('uuid', o.brandId);} });
time('date-time x2', () => { for (const o of objs) { Format.Test('date-time', o.occurredAt); Format.Test('date-time', o.scannedAt);} });
