/**
 * Message-type globs for `vmlab log --type`: `*` any run of characters, `?` one, `[abc]` one of
 * a set (`[a-z]` a range, `[!abc]` or `[^abc]` none of them), `,` between alternatives — as
 * SQLite's GLOB and the shell read them, case-sensitive.
 */
import { CliError } from '../errors.js';

/** A predicate that is true for the types `pattern` matches (`phys/*`, `kernel/task-*,mmu/*`, `phys/[ab]*`); a bad pattern is a CliError naming `flag`. */
export function globMatcher(pattern: string, flag = '--type'): (type: string) => boolean {
  const alternatives = pattern
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => new RegExp(`^${globSource(p, flag)}$`));
  return (type) => alternatives.some((re) => re.test(type));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function globSource(glob: string, flag: string): string {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else if (ch === '[') {
      let j = i + 1;
      let negate = false;
      if (glob[j] === '!' || glob[j] === '^') {
        negate = true;
        j++;
      }
      // A `]` right after the opening (or its negation) is a member, as in the shell.
      let members = '';
      if (glob[j] === ']') {
        members += '\\]';
        j++;
      }
      while (j < glob.length && glob[j] !== ']') {
        if (glob[j + 1] === '-' && j + 2 < glob.length && glob[j + 2] !== ']') {
          if (glob[j]! > glob[j + 2]!) throw new CliError(`${flag} ${glob}: the range ${glob[j]}-${glob[j + 2]} in [...] is backwards`);
          members += `${escape(glob[j]!)}-${escape(glob[j + 2]!)}`;
          j += 3;
        } else {
          members += escape(glob[j]!);
          j++;
        }
      }
      if (j >= glob.length) throw new CliError(`${flag} ${glob}: a [ without its closing ] (a set of characters is written [abc], [a-z] or [!abc])`);
      source += `[${negate ? '^' : ''}${members}]`;
      i = j;
    } else source += escape(ch);
  }
  return source;
}
