/**
 * Properties over random scenarios built from whatever the real registry offers right now
 * (every call of ALL_SUBSYSTEMS and the kernel, with arguments drawn by parameter type, and every
 * view): they parse, print and parse back to the same scenario, and two runs on fresh machines
 * give identical results and state hashes. The generator reads the registry, so components that
 * add calls are covered without changing this file.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParamSpec, RegisteredCall } from '@vmlab/kernel';
import type { Scenario } from './ast.js';
import { printScenario } from './printer.js';
import { runScenario } from './runner.js';
import { MEMORY_ACCESS_REQUEST, schemaOf } from './scenarioSchema.js';
import { ALL_SUBSYSTEMS, createScenarioMachine, parseScenario } from './subsystems.js';

const schema = schemaOf(ALL_SUBSYSTEMS);
const registry = schema.registry;
const PROCESSES = [
  { name: 'shell', personality: 'posix' },
  { name: 'app', personality: 'win32' },
] as const;

const constants = registry.constantNames();

function argument(param: ParamSpec): fc.Arbitrary<string> {
  switch (param.type) {
    case 'string':
      return fc.constantFrom('"alpha"', '"beta"', '"task_struct"');
    case 'size':
      return fc.oneof(fc.integer({ min: 1, max: 64 }).map((k) => `${k}KiB`), fc.integer({ min: 0, max: 9000 }).map(String));
    case 'address':
      return fc.oneof(fc.constant('0'), fc.integer({ min: 0, max: 0xfffff }).map((n) => `0x${(n * 4096).toString(16)}`));
    case 'flags':
      return constants.length === 0 ? fc.nat(0xff).map(String) : fc.uniqueArray(fc.constantFrom(...constants), { minLength: 1, maxLength: 3 }).map((names) => names.join('|'));
    default:
      return fc.oneof(fc.integer({ min: -1, max: 12 }).map(String), ...(constants.length === 0 ? [] : [fc.constantFrom(...constants)]));
  }
}

function callStep(call: RegisteredCall, caller: string): fc.Arbitrary<string> {
  const required = call.params.filter((p) => !p.optional).length;
  return fc.integer({ min: required, max: call.params.length }).chain((count) =>
    fc.tuple(...call.params.slice(0, count).map(argument)).map((args) => `- ${caller}: ${call.name}(${args.join(', ')})`),
  );
}

const stepChoices: fc.Arbitrary<string>[] = [];
for (const call of registry.allCalls()) {
  if (call.callers.includes('kernel')) stepChoices.push(callStep(call, 'kernel'));
  for (const process of PROCESSES) if (call.callers.includes(process.personality)) stepChoices.push(callStep(call, process.name));
}
for (const name of registry.viewNames()) {
  const view = registry.view(name)!;
  if (view.scope === 'machine') stepChoices.push(fc.constant(`- show ${name}`));
  else for (const process of PROCESSES) stepChoices.push(fc.constant(`- show ${name} ${process.name}`));
}
if (schema.serves(MEMORY_ACCESS_REQUEST)) {
  stepChoices.push(fc.tuple(fc.constantFrom('shell', 'app'), fc.constantFrom('read', 'write', 'exec'), fc.nat(0xffff)).map(([p, kind, page]) => `- ${p}: ${kind} 0x${(page * 4096).toString(16)}${kind === 'write' ? ' = 1' : ''}`));
}
stepChoices.push(fc.constantFrom('- label here', '- spawn extra', '- spawn extra2 win32'));

const scenarioText = fc.array(fc.oneof(...stepChoices), { maxLength: 10 }).map((steps) => {
  const unique = new Set<string>();
  const kept = steps.filter((s) => !s.startsWith('- spawn') || (!unique.has(s) && unique.add(s)));
  return [
    'machine: linux-x86_64',
    'processes:',
    ...PROCESSES.map((p) => `  - { name: ${p.name}, personality: ${p.personality} }`),
    kept.length === 0 ? 'steps: []' : 'steps:',
    ...kept.map((s) => `  ${s}`),
    '',
  ].join('\n');
});

function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => !['at', 'source', 'block', 'file'].includes(key)).map(([key, inner]) => [key, shape(inner)]));
  }
  return value;
}

describe('random scenarios over the real registry', () => {
  it('has calls and views to draw from', () => {
    expect(stepChoices.length).toBeGreaterThan(3);
  });

  it('parse(print(s)) gives s again', () => {
    fc.assert(
      fc.property(scenarioText, (text) => {
        const scenario: Scenario = parseScenario(text, 'random.yaml');
        expect(shape(parseScenario(printScenario(scenario), 'printed.yaml'))).toEqual(shape(scenario));
      }),
      { numRuns: 60 },
    );
  });

  it('two runs on fresh machines give identical results and state hashes', () => {
    fc.assert(
      fc.property(scenarioText, (text) => {
        const scenario = parseScenario(text, 'random.yaml');
        const first = createScenarioMachine(scenario);
        const second = createScenarioMachine(scenario);
        expect(runScenario(scenario, second)).toEqual(runScenario(scenario, first));
        expect(second.hash()).toEqual(first.hash());
      }),
      { numRuns: 40 },
    );
  });
});
