/**
 * Every file in fixtures/malformed is a scenario that must not run: parsing it gives exactly the
 * one-line `file:line:column: reason[; did you mean …]` stored beside it in NAME.expected.
 * The files are checked against the toy test subsystem, so they do not change when a component
 * adds a call.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_SUBSYSTEMS } from './fixtures/toySubsystem.js';
import { parseScenarioFor } from './parse.js';
import { ScenarioError } from './scenarioError.js';

const directory = join(import.meta.dirname, 'fixtures', 'malformed');
const files = readdirSync(directory)
  .filter((name) => /\.(yaml|yml|json)$/.test(name))
  .sort();

function errorOf(name: string): ScenarioError {
  try {
    parseScenarioFor(readFileSync(join(directory, name), 'utf8'), name, TEST_SUBSYSTEMS);
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error(`${name} parsed without an error`);
}

describe('malformed scenario files', () => {
  it('there are at least 40 of them', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  it.each(files)('%s gives its expected file:line:column message', (name) => {
    const error = errorOf(name);
    const expectedFile = join(directory, name.replace(/\.(yaml|yml|json)$/, '.expected'));
    if (process.env.UPDATE_MALFORMED === '1') writeFileSync(expectedFile, `${error.message}\n`);
    const expected = readFileSync(expectedFile, 'utf8').trimEnd();
    expect(error.message).toBe(expected);
    expect(`${error.file}:${error.line}:${error.column}`).toBe(expected.split(': ')[0]);
  });
});
