/**
 * "Did you mean …": the closest known name by edit distance (Levenshtein, with a transposition
 * counted as one edit), for misspelled calls, views, constants, processes and variables.
 */

/** The edit distance between two strings (insert, delete, substitute, swap two neighbours). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate closest to `name` (case-insensitively first, then by edit distance), or undefined
 * when none is close enough: at most a third of the name's length, and at least 1, edits away.
 * Ties go to the alphabetically first candidate, so suggestions are deterministic.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of [...new Set(candidates)].sort()) {
    if (candidate === name) continue;
    const distance = candidate.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** `did you mean X?` for the closest candidate, or undefined. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const closest = closestName(name, candidates);
  return closest === undefined ? undefined : `did you mean ${closest}?`;
}
