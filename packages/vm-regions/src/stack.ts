/**
 * The stack: the initial [stack] region (fs/exec.c setup_arg_pages) and its growth on faults
 * below it (mm/mmap.c expand_downwards, acct_stack_growth).
 */
import { PAGE_SIZE, VM_ACCOUNT, VM_GROWSDOWN, VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VM_READ, VM_WRITE } from './constants.js';
import type { AddressSpace } from './addressSpace.js';
import { anonVmaPrepare } from './anonVma.js';
import { SpaceEditor, failure, success, type OperationResult } from './editor.js';
import type { Layout } from './layouts.js';
import { pageDown, ulong } from './region.js';
import { treeAt, treeRankAbove } from './regionTree.js';

/** VM_STACK_FLAGS: grows down, VM_DATA_DEFAULT_FLAGS, accounted. */
export const STACK_FLAGS = VM_GROWSDOWN | VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT;

/**
 * setup_arg_pages: the stack region ends at STACK_TOP and spans the argument page plus the 128 KiB
 * it is expanded by; start_stack points into the argument page.
 */
export function setupStack(space: AddressSpace): OperationResult {
  const { stackTop } = space.layout;
  const start = stackTop - initialStackSize(space.layout);
  const editor = new SpaceEditor(space);
  editor.apply({
    kind: 'mapped',
    region: { start, end: stackTop, flags: STACK_FLAGS, pgoff: start / PAGE_SIZE, file: null, dev: '00:00', inode: 0, special: null, anonVma: 0, object: 0 },
  });
  // exec copies the arguments and environment onto it (fs/exec.c copy_strings, write faults through
  // get_user_pages), so a process's stack always has its anon_vma.
  editor.apply({ kind: 'anon-vma-assigned', start, anonVma: space.nextAnonVma });
  editor.apply({ kind: 'bounds-set', bounds: { startStack: stackTop - PAGE_SIZE } });
  return success(editor, start);
}

/**
 * The initial stack's size. fs/exec.c setup_arg_pages: stack_expand = 128 KiB; rlim_stack =
 * rlimit(RLIMIT_STACK) & PAGE_MASK; `if (stack_size + stack_expand > rlim_stack) stack_base =
 * vma->vm_end - rlim_stack; else stack_base = vma->vm_start - stack_expand;`, then
 * expand_stack_locked(vma, stack_base), which never shrinks the argument pages (stack_size: one page
 * here). So below 132 KiB the stack is RLIMIT_STACK rounded down to a page, at least the argument
 * page (fixtures/linux/stack-rlimit.txt: ulimit -s 12, 16, 64, 100, 128 give that many KiB).
 */
export function initialStackSize(layout: Layout): number {
  const argPages = PAGE_SIZE;
  const full = layout.initialStack;
  const rlim = Math.floor(layout.stackLimit / PAGE_SIZE) * PAGE_SIZE;
  return full > rlim ? Math.max(argPages, rlim) : full;
}

/**
 * expand_stack(address): a fault at `address` below a grows-down region extends it down to the
 * page of `address`, unless that breaks mmap_min_addr (EPERM), the guard gap above the region
 * below (ENOMEM) or RLIMIT_STACK (ENOMEM, after the region got its anon_vma). EFAULT when no
 * grows-down region is above `address`.
 */
export function expandStack(space: AddressSpace, rawAddress: number): OperationResult {
  const { layout } = space;
  // An unsigned long (region.ts ulong): a negative address is huge, above every region: EFAULT.
  const address = ulong(rawAddress);
  const rank = treeRankAbove(space.tree, address);
  const region = treeAt(space.tree, rank);
  if (!region) return failure(space, 'EFAULT');
  if (region.start <= address) return { space, edits: [], value: 0 };
  if (!(region.flags & VM_GROWSDOWN)) return failure(space, 'EFAULT');
  const newStart = pageDown(address);
  if (newStart < layout.mmapMinAddr) return failure(space, 'EPERM');
  const prev = treeAt(space.tree, rank - 1);
  // The region below must be stack_guard_gap away, unless it grows down too or is PROT_NONE.
  if (prev && !(prev.flags & VM_GROWSDOWN) && prev.flags & (VM_READ | VM_WRITE | 0x4) && newStart - prev.end < layout.stackGuardGap) {
    return failure(space, 'ENOMEM');
  }
  if (prev && prev.end > newStart) return failure(space, 'ENOMEM');
  // expand_downwards makes sure the region has its anon_vma before it checks the growth against
  // RLIMIT_STACK (acct_stack_growth), so a refused growth still leaves one (observed:
  // fixtures/linux/random-*.txt, a PROT_NONE grows-down region keeping VM_ACCOUNT after mprotect).
  const editor = new SpaceEditor(space);
  for (const edit of anonVmaPrepare(space, region.start).edits) editor.apply(edit);
  if (region.end - newStart > layout.stackLimit) return { space: editor.space, edits: editor.edits, value: -1, error: 'ENOMEM' };
  editor.apply({ kind: 'resized', start: region.start, newStart, newEnd: region.end });
  return success(editor, 0);
}
