/** Message-type globs for `vmlab log --type`: `*` any run of characters, `?` one, `,` between alternatives. */

/** A predicate that is true for the types `pattern` matches (`phys/*`, `kernel/task-*,mmu/*`). */
export function globMatcher(pattern: string): (type: string) => boolean {
  const alternatives = pattern
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`));
  return (type) => alternatives.some((re) => re.test(type));
}
