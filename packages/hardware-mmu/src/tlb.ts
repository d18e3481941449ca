/**
 * The translation lookaside buffer: a cache of recent translations (virtual page → frame and
 * effective flags), set-associative with a configurable number of entries and ways (fully
 * associative when ways = entries, the default: 64 entries, LRU), hits and misses counted.
 *
 * Flush rules follow x86 (Intel SDM Vol. 3A §4.10.4): a CR3 load (address-space switch) drops
 * every entry except global ones; INVLPG drops one page's entries, global or not; with
 * address-space IDs (PCID, or Alpha's ASN) entries are tagged and a switch drops nothing.
 *
 * Entries live in typed arrays, with an open-addressing index by page number so that a lookup
 * costs one hash probe whatever the associativity; the hot path allocates nothing.
 */
import { currentEditToken } from '@vmlab/kernel';
import { PTE_GLOBAL } from './pteFlags.js';

/** Which entry a full set gives up: least recently used, first filled, or a pseudo-random one. */
export type TlbReplacement = 'lru' | 'fifo' | 'random';

/** TLB geometry and behaviour. */
export interface TlbConfig {
  /** Number of entries (default 64). */
  readonly entries?: number;
  /** Associativity: entries per set (default: entries, fully associative). */
  readonly ways?: number;
  /** Replacement within a set (default `lru`). */
  readonly replacement?: TlbReplacement;
  /** Tag entries with an address-space id so a switch needs no flush (default false). */
  readonly asids?: boolean;
  /** Seed of the `random` policy's generator (default 1); runs with the same seed choose the same victims. */
  readonly seed?: number;
}


/** A TLB. */
export class Tlb {
  /** Number of entries. */
  readonly entries: number;
  /** Entries per set. */
  readonly ways: number;
  /** Number of sets. */
  readonly sets: number;
  /** Replacement policy. */
  readonly replacement: TlbReplacement;
  /** True when entries are tagged with address-space ids. */
  readonly asids: boolean;
  /** True for LRU replacement (hits refresh an entry's age). */
  private readonly lru: boolean;
  /** Per entry: 1 when valid. */
  readonly valid: Uint8Array;
  /** Per entry: virtual page number. */
  readonly vpn: Float64Array;
  /** Per entry: address-space id it belongs to. */
  readonly asid: Int32Array;
  /** Per entry: frame number. */
  readonly pfn: Float64Array;
  /** Per entry: effective portable flags (with A, and D once written through it). */
  readonly flags: Int32Array;
  /** Per entry: last use (LRU) or fill time (FIFO). */
  readonly stamp: Float64Array;
  /** Open-addressing index: slot + 1 per cell, 0 when empty. */
  private readonly index: Int32Array;
  private readonly indexShift: number;
  private readonly indexMask: number;
  /** Logical clock for the stamps. */
  clock = 0;
  /** Bumped whenever an entry is filled or dropped, so a caller's cached slot number can be checked. */
  generation = 0;
  /** The kernel edit token of the transaction whose `editableCopy` made this copy (null: not such a copy). */
  private editToken: object | null = null;
  /** State of the `random` policy's xorshift32 generator (advanced by every fill). */
  randomState: number;
  /** Lookups that found their page. */
  hits = 0;
  /** Lookups that did not. */
  misses = 0;

  /** A TLB with `config`'s geometry, all entries invalid. */
  constructor(config: TlbConfig = {}) {
    const entries = config.entries ?? 64;
    const ways = config.ways ?? entries;
    if (!Number.isInteger(entries) || entries < 1) throw new RangeError(`TLB entries must be at least 1, got ${entries}`);
    if (!Number.isInteger(ways) || ways < 1 || entries % ways !== 0) throw new RangeError(`TLB ways (${ways}) must divide entries (${entries})`);
    const sets = entries / ways;
    if ((sets & (sets - 1)) !== 0) throw new RangeError(`TLB sets (${sets}) must be a power of two`);
    this.entries = entries;
    this.ways = ways;
    this.sets = sets;
    this.replacement = config.replacement ?? 'lru';
    this.asids = config.asids ?? false;
    this.lru = this.replacement === 'lru';
    this.randomState = (config.seed ?? 1) >>> 0 || 1;
    this.valid = new Uint8Array(entries);
    this.vpn = new Float64Array(entries);
    this.asid = new Int32Array(entries);
    this.pfn = new Float64Array(entries);
    this.flags = new Int32Array(entries);
    this.stamp = new Float64Array(entries);
    let bits = 4;
    while (1 << bits < entries * 4) bits++;
    this.index = new Int32Array(1 << bits);
    this.indexShift = 32 - bits;
    this.indexMask = (1 << bits) - 1;
  }

  /** The configuration this TLB was built with. */
  get config(): Required<TlbConfig> {
    return { entries: this.entries, ways: this.ways, replacement: this.replacement, asids: this.asids, seed: this.randomState };
  }

  /** Fibonacci hashing of the page number's low 32 bits (pages 2^32 pages apart share a chain, which only costs a probe). */
  private hash(vpn: number): number {
    return Math.imul(vpn >>> 0, 0x9e3779b1) >>> this.indexShift;
  }

  /** The slot holding page `vpn` for address space `asid` (or a global entry for it), or -1; changes nothing. */
  probe(vpn: number, asid: number): number {
    const index = this.index;
    for (let i = this.hash(vpn); ; i = (i + 1) & this.indexMask) {
      const cell = index[i]!;
      if (cell === 0) return -1;
      const slot = cell - 1;
      if (this.vpn[slot] === vpn && (!this.asids || this.asid[slot] === asid || (this.flags[slot]! & PTE_GLOBAL) !== 0)) return slot;
    }
  }

  /** Looks page `vpn` up for `asid`: counts a hit (and refreshes its LRU age) or a miss; returns the slot or -1. */
  lookup(vpn: number, asid: number): number {
    const slot = this.probe(vpn, asid);
    if (slot < 0) {
      this.misses++;
      return -1;
    }
    this.hits++;
    if (this.lru) this.stamp[slot] = ++this.clock;
    return slot;
  }

  /** Counts a hit on `slot` (as `lookup` does), for a caller that probed first. */
  touch(slot: number): void {
    this.hits++;
    if (this.lru) this.stamp[slot] = ++this.clock;
  }

  /**
   * The slot a fill of page `vpn` would use: an invalid entry of its set, else the oldest (LRU,
   * FIFO) or the way the generator's current state names (random). Changes nothing.
   */
  victim(vpn: number): number {
    const first = ((vpn >>> 0) & (this.sets - 1)) * this.ways;
    let best = first;
    for (let slot = first; slot < first + this.ways; slot++) {
      if (this.valid[slot] === 0) return slot;
      if (this.stamp[slot]! < this.stamp[best]!) best = slot;
    }
    if (this.replacement === 'random') return first + (this.randomState % this.ways);
    return best;
  }

  /** Caches a translation in `slot` (from `victim`), replacing what was there. */
  fillAt(slot: number, vpn: number, asid: number, pfn: number, flags: number): void {
    this.generation++;
    // xorshift32 (Marsaglia 2003): the next victim choice of the random policy.
    let x = this.randomState;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.randomState = x >>> 0;
    if (this.valid[slot] === 1) this.unindex(slot);
    this.valid[slot] = 1;
    this.vpn[slot] = vpn;
    this.asid[slot] = asid;
    this.pfn[slot] = pfn;
    this.flags[slot] = flags;
    this.stamp[slot] = ++this.clock;
    for (let i = this.hash(vpn); ; i = (i + 1) & this.indexMask) {
      if (this.index[i] === 0) {
        this.index[i] = slot + 1;
        return;
      }
    }
  }

  /** Caches a translation (replacing any entry for the same page and space) and returns its slot. */
  fill(vpn: number, asid: number, pfn: number, flags: number): number {
    const existing = this.probe(vpn, asid);
    const slot = existing >= 0 ? existing : this.victim(vpn);
    this.fillAt(slot, vpn, asid, pfn, flags);
    return slot;
  }

  /** Drops entry `slot`. */
  invalidate(slot: number): void {
    if (this.valid[slot] === 0) return;
    this.generation++;
    this.unindex(slot);
    this.valid[slot] = 0;
  }

  /** INVLPG: drops every entry for page `vpn` (of `asid` when tagged, or global). Returns how many. */
  flushPage(vpn: number, asid: number): number {
    let dropped = 0;
    for (let slot = 0; slot < this.entries; slot++) {
      if (this.valid[slot] === 1 && this.vpn[slot] === vpn && (!this.asids || this.asid[slot] === asid || (this.flags[slot]! & PTE_GLOBAL) !== 0)) {
        this.invalidate(slot);
        dropped++;
      }
    }
    return dropped;
  }

  /** Drops every entry, or every non-global one when `keepGlobal` (a CR3 load). Returns how many. */
  flushAll(keepGlobal = false): number {
    let dropped = 0;
    for (let slot = 0; slot < this.entries; slot++) {
      if (this.valid[slot] === 1 && !(keepGlobal && (this.flags[slot]! & PTE_GLOBAL) !== 0)) {
        this.invalidate(slot);
        dropped++;
      }
    }
    return dropped;
  }

  /** What an address-space switch does: nothing with ASIDs, else drop every non-global entry. Returns how many. */
  switchAddressSpace(): number {
    return this.asids ? 0 : this.flushAll(true);
  }

  /** Number of valid entries. */
  get size(): number {
    let n = 0;
    for (let slot = 0; slot < this.entries; slot++) n += this.valid[slot]!;
    return n;
  }

  /** An independent copy (for immutable states: copy, then change the copy). */
  clone(): Tlb {
    const copy = new Tlb(this.config);
    copy.valid.set(this.valid);
    copy.vpn.set(this.vpn);
    copy.asid.set(this.asid);
    copy.pfn.set(this.pfn);
    copy.flags.set(this.flags);
    copy.stamp.set(this.stamp);
    copy.index.set(this.index);
    copy.clock = this.clock;
    copy.generation = this.generation;
    copy.randomState = this.randomState;
    copy.hits = this.hits;
    copy.misses = this.misses;
    return copy;
  }

  /**
   * For an immutable state's `evolve`: `this` when it is a copy made earlier in the running
   * transaction of this machine (the kernel's `currentEditToken()`), else a new such copy. A TLB in
   * a committed state is never changed; outside a machine (no token) every call copies.
   */
  editableCopy(): Tlb {
    const token = currentEditToken();
    if (token !== null && this.editToken === token) return this;
    const copy = this.clone();
    copy.editToken = token;
    return copy;
  }

  private unindex(slot: number): void {
    const index = this.index;
    const mask = this.indexMask;
    let i = this.hash(this.vpn[slot]!);
    while (index[i] !== slot + 1) i = (i + 1) & mask;
    // Backward-shift deletion keeps every probe chain unbroken.
    let hole = i;
    for (let j = (hole + 1) & mask; index[j] !== 0; j = (j + 1) & mask) {
      const home = this.hash(this.vpn[index[j]! - 1]!);
      const between = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!between) {
        index[hole] = index[j]!;
        hole = j;
      }
    }
    index[hole] = 0;
  }
}
