import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACCESS_READ, ACCESS_WRITE } from './fault.js';
import { createMmu } from './mmu.js';
import { PTE_ACCESSED, PTE_USER, PTE_WRITE } from './pteFlags.js';

/**
 * Observed on this machine (Linux 6.18, x86-64) with fixtures/referenced.c: after
 * `echo 1 > /proc/self/clear_refs` a region's smaps "Referenced" is 0 kB, and after reading two of
 * its four pages it is 8 kB — the accessed bits of exactly the two pages read were set again.
 */
const observed = readFileSync(new URL('./fixtures/referenced.txt', import.meta.url), 'utf8');

function referencedKb(mmu: ReturnType<typeof createMmu>): number {
  let pages = 0;
  for (let page = 0; page < 4; page++) if ((mmu.lookup(0x10000 + page * 4096)!.flags & PTE_ACCESSED) !== 0) pages++;
  return pages * 4;
}

describe('the accessed bit, as /proc/PID/clear_refs and smaps show it', () => {
  it('is set again for exactly the pages read after clearing it and flushing the TLB', () => {
    expect(observed).toContain('after clear_refs: Referenced 0 kB');
    expect(observed).toContain('after reading pages 0 and 2: Referenced 8 kB');
    const mmu = createMmu({ format: 'x86-64', ramBytes: 1024 * 1024 });
    mmu.createAddressSpace(1);
    mmu.switchAddressSpace(1);
    for (let page = 0; page < 4; page++) mmu.map(0x10000 + page * 4096, 20 + page, PTE_USER | PTE_WRITE);
    for (let page = 0; page < 4; page++) mmu.translate(0x10000 + page * 4096, ACCESS_WRITE);
    expect(referencedKb(mmu)).toBe(16);
    // clear_refs: ptep_test_and_clear_young on every page, then flush_tlb_mm (fs/proc/task_mmu.c).
    for (let page = 0; page < 4; page++) expect(mmu.clearAccessed(0x10000 + page * 4096)).toBe(true);
    mmu.tlb!.flushAll();
    expect(referencedKb(mmu)).toBe(0);
    mmu.translate(0x10000, ACCESS_READ);
    mmu.translate(0x12000, ACCESS_READ);
    expect(referencedKb(mmu)).toBe(8);
  });

  it('stays clear without the TLB flush, because x86 sets it only on a walk', () => {
    const mmu = createMmu({ format: 'x86-64', ramBytes: 1024 * 1024 });
    mmu.createAddressSpace(1);
    mmu.switchAddressSpace(1);
    for (let page = 0; page < 4; page++) mmu.map(0x10000 + page * 4096, 20 + page, PTE_USER | PTE_WRITE);
    for (let page = 0; page < 4; page++) mmu.translate(0x10000 + page * 4096, ACCESS_READ);
    for (let page = 0; page < 4; page++) mmu.clearAccessed(0x10000 + page * 4096);
    mmu.translate(0x10000, ACCESS_READ);
    mmu.translate(0x12000, ACCESS_READ);
    expect(referencedKb(mmu)).toBe(0);
  });
});
