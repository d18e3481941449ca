/**
 * Physical RAM with real contents: a byte array stored sparsely and copy-on-write by chunk (a
 * `ChunkedArray<Uint8Array>` from the kernel), so a snapshot of RAM costs only a table of chunk
 * pointers and never changes after later writes. Multi-byte values are little-endian, as on
 * x86 and Alpha.
 */
import { ChunkedArray } from '@vmlab/kernel';

/** Physical RAM: one byte per element, copy-on-write in chunks of RAM_CHUNK_BYTES. */
export type PhysicalMemory = ChunkedArray<Uint8Array>;

/**
 * Bytes per RAM chunk (the copy-on-write unit): 16 KiB. A transaction that writes RAM copies the
 * table of chunk pointers once (4,096 pointers for 64 MiB) and each chunk it touches; 16 KiB keeps
 * both small. Any aligned access of up to 8 bytes stays inside one chunk.
 */
export const RAM_CHUNK_BYTES = 16384;
/** log2 of RAM_CHUNK_BYTES. */
export const RAM_CHUNK_SHIFT = 14;

/** The largest RAM: 4 GiB, so that physical addresses are unsigned 32-bit integers on the hot path. */
export const MAX_RAM_BYTES = 0x1_0000_0000;

/** The access sizes RAM supports, in bytes. */
export type AccessSize = 1 | 2 | 4 | 8;

/** Zero-filled RAM of `bytes` bytes (only written chunks take memory). */
export function createPhysicalMemory(bytes: number): PhysicalMemory {
  if (!Number.isInteger(bytes) || bytes <= 0 || bytes > MAX_RAM_BYTES) throw new RangeError(`RAM size must be a whole number of bytes in 1..4 GiB, got ${bytes}`);
  return ChunkedArray.create(Uint8Array, bytes, { chunkSize: RAM_CHUNK_BYTES });
}

function checkRange(ram: PhysicalMemory, address: number, size: number): void {
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) throw new RangeError(`access size must be 1, 2, 4 or 8 bytes, got ${size}`);
  if (!Number.isInteger(address) || address < 0 || address + size > ram.length) {
    throw new RangeError(`physical address 0x${address.toString(16)} (+${size}) is outside RAM (0..0x${(ram.length - 1).toString(16)})`);
  }
}

/** The unsigned 32-bit little-endian word at `address` (4-byte aligned accesses stay inside one chunk). */
export function readWord32(ram: PhysicalMemory, address: number): number {
  if ((address & 3) === 0) {
    const chunk = ram.chunk(address >>> RAM_CHUNK_SHIFT);
    const i = address & (RAM_CHUNK_BYTES - 1);
    return (chunk[i]! | (chunk[i + 1]! << 8) | (chunk[i + 2]! << 16) | (chunk[i + 3]! << 24)) >>> 0;
  }
  return (ram.get(address) | (ram.get(address + 1) << 8) | (ram.get(address + 2) << 16) | (ram.get(address + 3) << 24)) >>> 0;
}

/** Writes the low 32 bits of `value` at `address`, little-endian. */
export function writeWord32(ram: PhysicalMemory, address: number, value: number): void {
  ram.set(address, value & 0xff);
  ram.set(address + 1, (value >>> 8) & 0xff);
  ram.set(address + 2, (value >>> 16) & 0xff);
  ram.set(address + 3, (value >>> 24) & 0xff);
}

/**
 * Reads an unsigned little-endian value of `size` bytes. An 8-byte value is returned as a number,
 * exact below 2^53 (use `readPhysical64` for the full 64 bits).
 */
export function readPhysical(ram: PhysicalMemory, address: number, size: AccessSize): number {
  checkRange(ram, address, size);
  switch (size) {
    case 1:
      return ram.get(address);
    case 2:
      return ram.get(address) | (ram.get(address + 1) << 8);
    case 4:
      return readWord32(ram, address);
    case 8:
      return readWord32(ram, address) + readWord32(ram, address + 4) * 0x1_0000_0000;
  }
}

/** Writes `value` as `size` little-endian bytes (an 8-byte number must be a whole number in 0..2^53). */
export function writePhysical(ram: PhysicalMemory, address: number, size: AccessSize, value: number): void {
  checkRange(ram, address, size);
  if (!Number.isInteger(value)) throw new RangeError(`value must be a whole number, got ${value}`);
  if (size === 8) {
    if (value < 0 || value > Number.MAX_SAFE_INTEGER) throw new RangeError(`8-byte value ${value} is outside 0..2^53-1; use writePhysical64`);
    writeWord32(ram, address, value % 0x1_0000_0000);
    writeWord32(ram, address + 4, Math.floor(value / 0x1_0000_0000));
    return;
  }
  for (let i = 0; i < size; i++) ram.set(address + i, (value >>> (8 * i)) & 0xff);
}

/** Reads the full unsigned 64-bit little-endian value at `address`. */
export function readPhysical64(ram: PhysicalMemory, address: number): bigint {
  checkRange(ram, address, 8);
  return (BigInt(readWord32(ram, address + 4)) << 32n) | BigInt(readWord32(ram, address));
}

/** Writes a 64-bit value (taken modulo 2^64) at `address`, little-endian. */
export function writePhysical64(ram: PhysicalMemory, address: number, value: bigint): void {
  checkRange(ram, address, 8);
  const v = BigInt.asUintN(64, value);
  writeWord32(ram, address, Number(v & 0xffff_ffffn));
  writeWord32(ram, address + 4, Number(v >> 32n));
}

/** Sets `length` bytes from `address` to zero (clearing a frame, as `clear_page` does). */
export function zeroPhysical(ram: PhysicalMemory, address: number, length: number): void {
  if (address < 0 || address + length > ram.length) throw new RangeError(`range 0x${address.toString(16)}+${length} is outside RAM`);
  for (let i = 0; i < length; i++) if (ram.get(address + i) !== 0) ram.set(address + i, 0);
}
