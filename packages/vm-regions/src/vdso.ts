/**
 * The vDSO and its data pages, which exec maps into every Linux process (arch/x86/entry/vdso/vma.c
 * map_vdso, called by arch_setup_additional_pages after the program is loaded): [vvar] (4 pages:
 * VDSO_NR_VVAR_PAGES), [vvar_vclock] (2 pages: the clock pages) and [vdso] (the 2-page image), in
 * that order, placed by one get_unmapped_area of their total size — with randomisation off, right
 * below mmap_base in a top-down layout and at TASK_UNMAPPED_BASE in the legacy one. The same for a
 * 64-bit task and a 32-bit one under IA32 emulation (observed: fixtures/linux/topdown.txt,
 * legacy-topdown.txt, i386-compat-topdown.txt, i386-compat-legacy-topdown.txt, and a static
 * program's /proc/self/maps and smaps under `setarch -R`).
 */
import { PAGE_SIZE, VM_DONTDUMP, VM_DONTEXPAND, VM_EXEC, VM_IO, VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VM_PFNMAP, VM_READ } from './constants.js';
import type { AddressSpace } from './addressSpace.js';
import { SpaceEditor, failure, success, type OperationResult } from './editor.js';
import { getUnmappedArea } from './freeArea.js';
import type { Region } from './region.js';

/** The data pages' vm_flags (_install_special_mapping with VM_READ|VM_MAYREAD|VM_IO|VM_DONTDUMP|VM_PFNMAP, VM_DONTEXPAND added by the special mapping): smaps shows `rd mr pf io de dd`. */
const VVAR_FLAGS = VM_READ | VM_MAYREAD | VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP;

/** The image's vm_flags (VM_READ|VM_EXEC|VM_MAYREAD|VM_MAYWRITE|VM_MAYEXEC, VM_DONTEXPAND): `rd ex mr mw me de`. */
const VDSO_FLAGS = VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_DONTEXPAND;

/** The three special mappings, in address order: name, pages, vm_flags. */
const SPECIAL_MAPPINGS: readonly (readonly [string, number, number])[] = [
  ['[vvar]', 4, VVAR_FLAGS],
  ['[vvar_vclock]', 2, VVAR_FLAGS],
  ['[vdso]', 2, VDSO_FLAGS],
];

/** map_vdso: the three special mappings in one free range of `space`; ENOMEM when there is none. */
export function mapVdso(space: AddressSpace): OperationResult {
  const length = SPECIAL_MAPPINGS.reduce((total, [, pages]) => total + pages * PAGE_SIZE, 0);
  const where = getUnmappedArea(space, { addr: 0, length, flags: 0, file: false });
  if (typeof where === 'string') return failure(space, where);
  const editor = new SpaceEditor(space);
  let start = where;
  for (const [name, pages, flags] of SPECIAL_MAPPINGS) {
    const end = start + pages * PAGE_SIZE;
    const region: Region = { start, end, flags, pgoff: 0, file: null, dev: '00:00', inode: 0, special: name, anonVma: 0, object: 0 };
    editor.apply({ kind: 'mapped', region });
    start = end;
  }
  return success(editor, where);
}
