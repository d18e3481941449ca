/** "Did you mean …" for names typed on the command line (views, labels). */

/** The edit distance between two strings (Levenshtein, insert/delete/substitute cost 1). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The candidates closest to `name` (at most a third of its length away, at least 1), best first. */
export function closestNames(name: string, candidates: readonly string[]): string[] {
  const budget = Math.max(1, Math.floor(name.length / 3));
  const scored = candidates.map((c) => ({ c, d: editDistance(name.toLowerCase(), c.toLowerCase()) })).filter((s) => s.d <= budget);
  if (scored.length === 0) return [];
  const best = Math.min(...scored.map((s) => s.d));
  return scored.filter((s) => s.d === best).map((s) => s.c);
}
