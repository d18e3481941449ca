/** Recognises a vmlab recording without opening it as a database: the SQLite header and application id. */
import { closeSync, openSync, readSync } from 'node:fs';
import { RECORDING_APPLICATION_ID } from './schema.js';

const SQLITE_MAGIC = 'SQLite format 3\0';

/** True when `path` is a SQLite file whose header carries the vmlab application id. */
export function isRecordingFile(path: string): boolean {
  const header = readHeader(path);
  return header !== undefined && isSqliteHeader(header) && header.readUInt32BE(68) === RECORDING_APPLICATION_ID;
}

/** True when the first 100 bytes are a SQLite database header. */
export function isSqliteHeader(header: Buffer): boolean {
  return header.length >= 100 && header.subarray(0, 16).toString('latin1') === SQLITE_MAGIC;
}

/** The first 100 bytes of a file, or undefined when it is shorter or unreadable. */
export function readHeader(path: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const header = Buffer.alloc(100);
    return readSync(fd, header, 0, 100, 0) === 100 ? header : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
