/** What every command receives: where to write, and the subsystems a machine is built from. */
import type { AnySubsystem } from '@vmlab/kernel';
import type { Io } from '../output/io.js';

/** The context a command runs in. */
export interface CommandContext {
  /** Output streams and environment. */
  readonly io: Io;
  /** The subsystems every machine is built from (the scenario package's ALL_SUBSYSTEMS). */
  readonly subsystems: readonly AnySubsystem[];
}
