import { getRandomValues } from 'node:crypto';

const pool = new Uint32Array(2048);
let next = pool.length;

/** A uniform number in (0, 1) from the operating system's CSPRNG (pooled), with 53 random bits. */
export function secureUniform(): number {
  if (next >= pool.length) {
    getRandomValues(pool);
    next = 0;
  }
  const high = pool[next++]!;
  const low = pool[next++]!;
  const bits53 = (high >>> 5) * 67108864 + (low >>> 6); // 27 + 26 bits
  return (bits53 + 0.5) / 9007199254740992; // never 0 or 1
}

/** Geometric on {0, 1, 2, ...} with P(k) = (1 − α) α^k, by inversion. */
function geometric(alpha: number, uniform: () => number): number {
  return Math.floor(Math.log(uniform()) / Math.log(alpha));
}

/**
 * Two-sided geometric (discrete Laplace) noise for ε-differential privacy on an integer count of
 * sensitivity 1 (Ghosh, Roughgarden, Sundararajan 2009): P(Z = z) = (1 − α)/(1 + α) · α^|z|, α = e^−ε.
 * Drawn as the difference of two independent geometrics; integer output avoids the floating-point
 * leaks of a continuous Laplace (Mironov 2012).
 */
export function twoSidedGeometric(epsilon: number, uniform: () => number = secureUniform): number {
  if (!(epsilon > 0)) throw new RangeError('epsilon must be positive');
  const alpha = Math.exp(-epsilon);
  return geometric(alpha, uniform) - geometric(alpha, uniform);
}

/** A published count: the true count plus noise, never below zero (post-processing keeps the guarantee). */
export function noisyCount(count: number, epsilon: number, uniform: () => number = secureUniform): number {
  return Math.max(0, count + twoSidedGeometric(epsilon, uniform));
}
