import { describe, expect, it } from 'vitest';
import { noisyCount, secureUniform, twoSidedGeometric } from '../../src/domain/geometric-noise';
import { brandBatches } from '../../src/domain/publication';

/**
 * The two-sided geometric distribution: P(Z = z) = (1 − α)/(1 + α) · α^|z| with α = e^−ε, mean 0,
 * variance 2α/(1 − α)². With n = 200,000 draws every tolerance below is at least 8 standard errors
 * wide, so the test does not flake, yet it fails for a wrong α, a one-sided or a shifted sampler.
 */
describe('two-sided geometric mechanism', () => {
  const n = 200_000;

  for (const epsilon of [0.5, 1, 2]) {
    it(`has the discrete Laplace distribution for ε = ${epsilon}`, () => {
      const alpha = Math.exp(-epsilon);
      const counts = new Map<number, number>();
      let sum = 0;
      let nonIntegers = 0;
      for (let i = 0; i < n; i++) {
        const z = twoSidedGeometric(epsilon);
        if (!Number.isInteger(z)) nonIntegers += 1;
        sum += z;
        counts.set(z, (counts.get(z) ?? 0) + 1);
      }
      expect(nonIntegers).toBe(0);
      const p = (z: number) => (counts.get(z) ?? 0) / n;
      const variance = (2 * alpha) / (1 - alpha) ** 2;
      expect(Math.abs(sum / n)).toBeLessThan(8 * Math.sqrt(variance / n));
      const p0 = (1 - alpha) / (1 + alpha);
      const se = (q: number) => Math.sqrt((q * (1 - q)) / n);
      expect(Math.abs(p(0) - p0)).toBeLessThan(8 * se(p0));
      for (const z of [1, 2]) {
        const expected = p0 * alpha ** z;
        expect(Math.abs(p(z) - expected)).toBeLessThan(8 * se(expected));
        expect(Math.abs(p(-z) - expected)).toBeLessThan(8 * se(expected));
        // symmetric: the difference of two frequencies has about √2 times one standard error
        expect(Math.abs(p(z) - p(-z))).toBeLessThan(8 * Math.SQRT2 * se(expected));
      }
    });
  }

  it('draws its uniforms strictly inside (0, 1)', () => {
    const draws = Array.from({ length: 10_000 }, secureUniform);
    expect(draws.every((u) => u > 0 && u < 1)).toBe(true);
    expect(new Set(draws).size).toBe(draws.length);
  });

  it('never publishes a negative count', () => {
    const counts = Array.from({ length: 10_000 }, () => noisyCount(0, 0.1));
    expect(counts.every((c) => c >= 0)).toBe(true);
    expect(counts.some((c) => c > 0)).toBe(true);
  });

  it('decides suppression on the true count, before noise, and withholds cells once the budget is spent', () => {
    const cell = (gtin: string, distinctSubjects: number) => ({
      brandId: 'b',
      gtin,
      windowStartMs: 0,
      windowEndMs: 60_000,
      scans: distinctSubjects,
      distinctSubjects,
      fridgeAdds: 0,
      consumed: 0,
      discarded: 0,
    });
    // noise that would lift 49 to 51 and drop 50 to 0: publication still follows the true counts
    let budget = 1;
    const noise = { epsilon: 1, spend: () => budget-- > 0, uniform: () => 0.999999 };
    const [batch] = brandBatches([cell('00000000000001', 49), cell('00000000000002', 50)], 50, noise);
    expect(batch!.cells.map((c) => c.gtin)).toEqual(['00000000000002']);
    expect(batch!.suppressedCells).toBe(1);
    expect(batch!.noise).toEqual({ mechanism: 'geometric', epsilon: 1 });
    const [spent] = brandBatches([cell('00000000000002', 50)], 50, noise);
    expect(spent!.cells).toEqual([]);
    expect(spent!.suppressedCells).toBe(1);
  });
});
