/**
 * The deterministic random source. Simulation code never calls `Math.random`: the kernel keeps
 * the generator's state in the root state and hands out numbers through the decide context, so
 * re-executing from a checkpoint reproduces every draw.
 *
 * Algorithm: xoshiro128** (Blackman and Vigna, https://prng.di.unimi.it/xoshiro128starstar.c),
 * seeded through SplitMix32 so that nearby seeds give unrelated streams.
 */

/** The generator's four 32-bit words; a plain tuple so it can live in immutable state. */
export type RandomState = readonly [number, number, number, number];

/** Seeds a generator state from a 32-bit integer seed. */
export function seedRandom(seed: number): RandomState {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const words: [number, number, number, number] = [next(), next(), next(), next()];
  if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1;
  return words;
}

/** A running generator; `state` can be read back to store it. */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Starts a generator from a stored state. */
  constructor(state: RandomState) {
    [this.s0, this.s1, this.s2, this.s3] = state;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, bound), without modulo bias. bound must be in 1..2^32. */
  nextInt(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > 4294967296) {
      throw new RangeError(`nextInt bound must be an integer in 1..2^32, got ${bound}`);
    }
    const limit = 4294967296 - (4294967296 % bound);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % bound;
  }

  /** The generator's current state, to store in immutable state. */
  get state(): RandomState {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
