import pg from 'pg';
const stats = new Map<string, { n: number; ms: number }>();
const orig = pg.Client.prototype.query as (...a: unknown[]) => unknown;
(pg.Client.prototype as { query: unknown }).query = function (this: unknown, ...args: unknown[]) {
  const text = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string })?.text ?? '?');
  const key = text.replace(/\s+/g, ' ').slice(0, 60);
  const t0 = performance.now();
  const r = orig.apply(this, args) as Promise<unknown> | undefined;
  if (r && typeof (r as Promise<unknown>).then === 'function') {
    void (r as Promise<unknown>).then(() => {
      const s = stats.get(key) ?? { n: 0, ms: 0 };
      s.n++; s.ms += performance.now() - t0; stats.set(key, s);
    }, () => undefined);
  }
  return r;
};
process.on('exit', () => {
  for (const [k, v] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15))
    console.log(`${v.ms.toFixed(0).padStart(6)} ms ${String(v.n).padStart(5)} × ${k}`);
});
