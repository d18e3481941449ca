/**
 * Compressed input blocks: a run of consecutive inputs of one bulk type (memory accesses) stored
 * as one row — a JSON array of their payloads, compressed with raw DEFLATE from node:zlib. The
 * recorder joins the payloads' JSON into the array and the writer thread compresses it
 * (RECORDING_INSERTS.blocks.deflate); reading one back is this file's.
 */
import { inflateRawSync } from 'node:zlib';
import { BLOCK_ENCODING_JSON_DEFLATE } from './schema.js';

/** Decodes a block's payloads; throws on an unknown encoding or a count that does not match. */
export function decodeBlock(encoding: string, data: Uint8Array, count: number): unknown[] {
  if (encoding !== BLOCK_ENCODING_JSON_DEFLATE) throw new Error(`unknown input block encoding ${encoding}`);
  const payloads = JSON.parse(inflateRawSync(data).toString('utf8')) as unknown;
  if (!Array.isArray(payloads) || payloads.length !== count) throw new Error(`an input block says ${count} inputs but holds ${Array.isArray(payloads) ? payloads.length : 'no list'}`);
  return payloads;
}
