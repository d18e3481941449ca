/**
 * Loading a program's segments into an address space the way fs/binfmt_elf.c does: text
 * (r-x), data (rw-, file-backed), bss (anonymous rw-), then start_brk at the page after bss.
 * The ELF loader of syscalls-posix will call this; tests use it to build known layouts.
 */
import { PAGE_SIZE, VM_ACCOUNT, VM_EXEC, VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VM_READ, VM_WRITE } from './constants.js';
import type { AddressSpace } from './addressSpace.js';
import { SpaceEditor, failure, success, type OperationResult } from './editor.js';
import { pageAlign, type Region } from './region.js';
import { treeFindAbove } from './regionTree.js';

/** A program image to load. */
export interface ProgramImage {
  /** Its path (maps prints it). */
  readonly path: string;
  /** Device and inode of the file. */
  readonly dev?: string;
  /** Inode number. */
  readonly inode?: number;
  /** Load address of the text segment (page-aligned). */
  readonly base: number;
  /** Bytes of text. */
  readonly text: number;
  /** Bytes of initialised data (mapped from the file after the text). */
  readonly data: number;
  /** Bytes of bss (anonymous, after the data). */
  readonly bss: number;
}

const MAY = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

/** Maps `image`'s segments and sets start_code … brk (fs/binfmt_elf.c load_elf_binary). */
export function loadProgram(space: AddressSpace, image: ProgramImage): OperationResult {
  if (image.base % PAGE_SIZE !== 0 || image.text <= 0) return failure(space, 'EINVAL');
  const textEnd = image.base + pageAlign(image.text);
  const dataEnd = textEnd + pageAlign(image.data);
  const endData = textEnd + image.data;
  const bssEnd = pageAlign(endData + image.bss);
  const top = Math.max(dataEnd, bssEnd);
  // fs/binfmt_elf.c elf_map → vm_mmap: a segment beyond TASK_SIZE (or below 0, a huge unsigned
  // long) cannot be placed: ENOMEM (mm/mmap.c __get_unmapped_area).
  if (image.base < 0 || top > space.layout.taskSize) return failure(space, 'ENOMEM');
  const clash = treeFindAbove(space.tree, image.base);
  if (clash && clash.start < top) return failure(space, 'EEXIST');
  const file = { file: image.path, dev: image.dev ?? '08:01', inode: image.inode ?? 1, special: null, anonVma: 0, object: 0 };
  const editor = new SpaceEditor(space);
  const text: Region = { start: image.base, end: textEnd, flags: VM_READ | VM_EXEC | MAY, pgoff: 0, ...file };
  editor.apply({ kind: 'mapped', region: text });
  if (dataEnd > textEnd) {
    editor.apply({ kind: 'mapped', region: { start: textEnd, end: dataEnd, flags: VM_READ | VM_WRITE | MAY | VM_ACCOUNT, pgoff: (textEnd - image.base) / PAGE_SIZE, ...file } });
  }
  if (bssEnd > dataEnd) {
    editor.apply({
      kind: 'mapped',
      region: { start: dataEnd, end: bssEnd, flags: VM_READ | VM_WRITE | MAY | VM_ACCOUNT, pgoff: dataEnd / PAGE_SIZE, file: null, dev: '00:00', inode: 0, special: null, anonVma: 0, object: 0 },
    });
  }
  editor.apply({
    kind: 'bounds-set',
    bounds: { startCode: image.base, endCode: image.base + image.text, startData: textEnd, endData, startBrk: bssEnd, brk: bssEnd },
  });
  return success(editor, image.base);
}

