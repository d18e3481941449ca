/**
 * Test helper: a copy of a recording with some SQL applied to it — how tests make damaged,
 * tampered or older recordings from a good one.
 */
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';

/** Copies the recording `source` to `target` (replacing it) and runs `sql` on the copy; returns `target`. */
export function alteredCopy(source: string, target: string, sql: string): string {
  rmSync(target, { force: true });
  const db = new Database(source, { readonly: true });
  db.exec(`VACUUM INTO '${target.replaceAll("'", "''")}'`);
  db.close();
  const edit = new Database(target);
  edit.exec(sql);
  edit.close();
  return target;
}
