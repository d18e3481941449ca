/**
 * vmalloc / vfree: virtually contiguous kernel areas built from order-0 frames mapped through the
 * kernel page table, in the vmalloc range above the direct map, each followed by an unmapped
 * guard page (Linux 2.6 mm/vmalloc.c __get_vm_area_node, __vmalloc_area_node, __vunmap;
 * Gorman ch. 7).
 */
import { applyVmallocAreaCreated, applyVmallocAreaFreed, applyVmallocAreaPopulated } from './apply.js';
import { GFP_HIGHMEM, GFP_KERNEL, allocPagesReaping, type AllocResult, type StatusResult } from './cache.js';
import { kfree, kmalloc } from './kmalloc.js';
import { emit, type SlabModel } from './model.js';
import { SLAB_EVENTS } from './protocol.js';
import type { SlabState, VmArea } from './state.js';

/**
 * The address of a free gap of `size` bytes in [VMALLOC_START, VMALLOC_END): the first fit in
 * the address-ordered vmlist (__get_vm_area_node), or -1.
 */
export function findVmArea(state: SlabState, size: number): number {
  let address = state.layout.vmallocStart;
  const end = state.layout.vmallocEnd;
  for (const area of state.areas) {
    if (area.address + area.size <= address) continue;
    if (address + size <= area.address) break;
    address = area.address + area.size;
  }
  return address + size <= end ? address : -1;
}

/**
 * vmalloc: rounds `size` up to whole pages, reserves them plus a guard page in the vmalloc range,
 * allocates the page array (kmalloc'ed, or vmalloc'ed — VM_VPAGES — when larger than a page, as
 * __vmalloc_area_node does), then one order-0 frame per page, mapped in the kernel page table.
 * 0 with `EINVAL` for size 0 or more pages than RAM, `ENOMEM` when the range or frames run out
 * (everything obtained so far is given back).
 */
export function vmalloc(model: SlabModel, size: number, gfp: number = GFP_KERNEL | GFP_HIGHMEM, caller = 'vmalloc'): AllocResult {
  const state = model.state;
  const pageSize = state.layout.pageSize;
  const nrPages = Math.ceil(size / pageSize);
  if (!Number.isInteger(size) || size <= 0 || nrPages > state.layout.ram / pageSize) return { address: 0, error: 'EINVAL' };
  const areaSize = (nrPages + 1) * pageSize;
  const address = findVmArea(state, areaSize);
  if (address < 0) return { address: 0, error: 'ENOMEM' };
  emit(model, SLAB_EVENTS.vmallocAreaCreated, { address, size: areaSize, caller }, applyVmallocAreaCreated);

  const arrayBytes = nrPages * state.layout.wordSize;
  const vpages = arrayBytes > pageSize;
  const pagesArray = vpages ? vmalloc(model, arrayBytes, gfp, caller) : kmalloc(model, arrayBytes, gfp & ~GFP_HIGHMEM);
  if (!pagesArray.address) {
    emit(model, SLAB_EVENTS.vmallocAreaFreed, { address }, applyVmallocAreaFreed);
    return { address: 0, error: 'ENOMEM' };
  }
  const frames = model.vmallocPages ?? model.pages;
  const pfns: number[] = [];
  for (let i = 0; i < nrPages; i++) {
    const pfn = allocPagesReaping(model, 0, gfp, frames);
    if (pfn < 0) {
      for (let j = 0; j < pfns.length; j++) {
        model.mapper?.unmap(address + j * pageSize);
        frames.freePages(pfns[j]!, 0);
      }
      if (vpages) vfree(model, pagesArray.address);
      else kfree(model, pagesArray.address);
      emit(model, SLAB_EVENTS.vmallocAreaFreed, { address }, applyVmallocAreaFreed);
      return { address: 0, error: 'ENOMEM' };
    }
    model.mapper?.map(address + i * pageSize, pfn);
    pfns.push(pfn);
  }
  emit(model, SLAB_EVENTS.vmallocAreaPopulated, { address, pfns, pagesArray: pagesArray.address, vpages }, applyVmallocAreaPopulated);
  return { address };
}

/** The area starting at `address`, or undefined. */
export function findArea(state: SlabState, address: number): VmArea | undefined {
  return state.areas.find((area) => area.address === address);
}

/**
 * vfree: unmaps the area that starts at `address`, frees its frames and its page array, and
 * removes it. `vfree(0)` does nothing; any other address that starts no area returns -1 with
 * `EINVAL` (Linux warns "Trying to vfree() nonexistent vm area").
 */
export function vfree(model: SlabModel, address: number): StatusResult {
  if (address === 0) return { value: 0 };
  const area = findArea(model.state, address);
  if (!area) return { value: -1, error: 'EINVAL' };
  const pageSize = model.state.layout.pageSize;
  const pfns = [...area.pfns];
  const { pagesArray, vpages } = area;
  emit(model, SLAB_EVENTS.vmallocAreaFreed, { address }, applyVmallocAreaFreed);
  for (let i = 0; i < pfns.length; i++) {
    model.mapper?.unmap(address + i * pageSize);
    (model.vmallocPages ?? model.pages).freePages(pfns[i]!, 0);
  }
  if (vpages) vfree(model, pagesArray);
  else kfree(model, pagesArray);
  return { value: 0 };
}
