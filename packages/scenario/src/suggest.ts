/**
 * "Did you mean …": the closest known name, for misspelled calls, views, constants, processes,
 * variables, errno names and machine fields. Closest is by Damerau-Levenshtein distance (insert,
 * delete, substitute, swap two neighbours, each one edit); ties go to the candidate sharing the
 * longest prefix with the name, then to the one nearest in length (`alloc_pagez` is one edit from
 * both `alloc_page` and `alloc_pages`, and means the latter), then alphabetically.
 */

/**
 * The Damerau-Levenshtein distance between two strings: the fewest inserts, deletes,
 * substitutions and swaps of two neighbouring characters that turn one into the other, a swap
 * being allowed even around later edits (`CA` → `ABC` is 2). Lowrance and Wagner's algorithm.
 */
export function editDistance(a: string, b: string): number {
  const infinity = a.length + b.length;
  // d[i + 1][j + 1] is the distance between a[0, i) and b[0, j); row and column 0 are sentinels.
  const d: number[][] = Array.from({ length: a.length + 2 }, () => new Array<number>(b.length + 2).fill(0));
  d[0]![0] = infinity;
  for (let i = 0; i <= a.length; i++) {
    d[i + 1]![0] = infinity;
    d[i + 1]![1] = i;
  }
  for (let j = 0; j <= b.length; j++) {
    d[0]![j + 1] = infinity;
    d[1]![j + 1] = j;
  }
  const lastRowOf = new Map<string, number>();
  for (let i = 1; i <= a.length; i++) {
    let lastMatchColumn = 0;
    for (let j = 1; j <= b.length; j++) {
      const k = lastRowOf.get(b[j - 1]!) ?? 0;
      const l = lastMatchColumn;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      if (cost === 0) lastMatchColumn = j;
      d[i + 1]![j + 1] = Math.min(
        d[i]![j]! + cost,
        d[i + 1]![j]! + 1,
        d[i]![j + 1]! + 1,
        d[k]![l]! + (i - k - 1) + 1 + (j - l - 1),
      );
    }
    lastRowOf.set(a[i - 1]!, i);
  }
  return d[a.length + 1]![b.length + 1]!;
}

/** The length of the longest common prefix of two strings. */
export function commonPrefixLength(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * The candidate closest to `name`, or undefined when none is close enough: at most a third of
 * the name's length, and at least 1, edits away. A candidate differing only in case counts as
 * half an edit. Ties go to the longest common prefix, then the nearest length, then the
 * alphabetically first candidate, so suggestions are deterministic.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: { candidate: string; distance: number; prefix: number; lengthGap: number } | undefined;
  for (const candidate of new Set(candidates)) {
    if (candidate === name) continue;
    const distance = candidate.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, candidate);
    if (distance > limit) continue;
    const ranked = { candidate, distance, prefix: commonPrefixLength(name, candidate), lengthGap: Math.abs(name.length - candidate.length) };
    if (best === undefined || better(ranked, best)) best = ranked;
  }
  return best?.candidate;
}

function better(
  a: { candidate: string; distance: number; prefix: number; lengthGap: number },
  b: { candidate: string; distance: number; prefix: number; lengthGap: number },
): boolean {
  if (a.distance !== b.distance) return a.distance < b.distance;
  if (a.prefix !== b.prefix) return a.prefix > b.prefix;
  if (a.lengthGap !== b.lengthGap) return a.lengthGap < b.lengthGap;
  return a.candidate < b.candidate;
}

/** `did you mean X?` for the closest candidate, or undefined. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const closest = closestName(name, candidates);
  return closest === undefined ? undefined : `did you mean ${closest}?`;
}
