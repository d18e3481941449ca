/**
 * A readable line diff between an expected and an actual view: the longest common subsequence of
 * lines, printed as `  same`, `- expected`, `+ actual`, with only the changed lines and two lines
 * of context around them. Trailing spaces are ignored, as in `expect` blocks.
 */

/** Lines of `text` without trailing spaces, and without the empty last line a final newline leaves. */
export function normalizedLines(text: string): string[] {
  const lines = text.split('\n').map((line) => line.replace(/[ \t\r]+$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** True when two texts are equal line by line, ignoring trailing spaces and trailing empty lines. */
export function sameLines(expected: string, actual: string): boolean {
  const a = normalizedLines(expected);
  const b = normalizedLines(actual);
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

/** The diff of two texts, `- ` for expected-only lines and `+ ` for actual-only lines. */
export function lineDiff(expected: string, actual: string, context = 2): string {
  const a = normalizedLines(expected);
  const b = normalizedLines(actual);
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const rows: { mark: ' ' | '-' | '+'; text: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      rows.push({ mark: ' ', text: a[i]! });
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      rows.push({ mark: '-', text: a[i]! });
      i++;
    } else {
      rows.push({ mark: '+', text: b[j]! });
      j++;
    }
  }
  const keep = rows.map((row, index) => rows.slice(Math.max(0, index - context), index + context + 1).some((r) => r.mark !== ' '));
  const out: string[] = [];
  rows.forEach((row, index) => {
    if (keep[index]) out.push(`${row.mark} ${row.text}`);
    else if (out[out.length - 1] !== '  …') out.push('  …');
  });
  return out.join('\n');
}
