/**
 * @vmlab/cli — the `vmlab` command.
 *
 * @packageDocumentation
 */
export const CLI_NAME = 'vmlab';
