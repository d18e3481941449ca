/**
 * Builds an operation's edits: applies each edit to a working address space at once (so later
 * steps see it) and keeps the list, which is what the server emits as events.
 */
import { applyEdit, type AddressSpace, type Edit } from './addressSpace.js';

/** A working address space and the edits made to it so far. */
export class SpaceEditor {
  /** The edits, in order. */
  readonly edits: Edit[] = [];

  /** The working address space, with every edit so far applied. */
  space: AddressSpace;

  /** Starts from `space`. */
  constructor(space: AddressSpace) {
    this.space = space;
  }

  /** Applies `edit` and records it. */
  apply(edit: Edit): void {
    this.space = applyEdit(this.space, edit);
    this.edits.push(edit);
  }
}

/** What an operation returns: the new address space, its edits, and the syscall-style result. */
export interface OperationResult {
  /** The address space afterwards (the same object when nothing changed). */
  readonly space: AddressSpace;
  /** The edits that lead there. */
  readonly edits: readonly Edit[];
  /** The return value (an address, 0, or the new break). */
  readonly value: number;
  /** The errno name when it failed (`EINVAL`, `ENOMEM`, `EEXIST`, `EACCES`). */
  readonly error?: string;
}

/** A failed operation: nothing changed. */
export function failure(space: AddressSpace, error: string, value = -1): OperationResult {
  return { space, edits: [], value, error };
}

/** A successful operation. */
export function success(editor: SpaceEditor, value: number): OperationResult {
  return { space: editor.space, edits: editor.edits, value };
}
