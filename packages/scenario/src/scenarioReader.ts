/**
 * Reads a scenario's YAML document into the scenario tree: the sections, each step through the
 * step grammar, `expect` blocks through the template parser. Only the shape is checked here;
 * names, argument counts and types are checked against the registry by `validate.ts`.
 */
import { isMap, isScalar, isSeq, type Node as YamlNode, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { FileSpec, MachineSpec, ProcessSpec, Scenario, Step } from './ast.js';
import type { ConfigFieldKind } from '@vmlab/kernel';
import { DEFAULT_PROFILE, MACHINE_FIELDS, POLICIES, PROFILES, TLB_FIELDS, TLB_REPLACEMENTS, profileMachine, readSize } from './machineSpec.js';
import { ScenarioError, type SourcePosition } from './scenarioError.js';
import { PERSONALITIES, parseProcessAction, parseStepKey, parseStringStep } from './stepParser.js';
import { parseTemplate } from './substitute.js';
import { didYouMean } from './suggest.js';
import { isStringScalar, nodePosition, scalarLocator, type YamlSource } from './yamlSource.js';

/** The top-level sections of a scenario. */
export const SECTIONS = ['machine', 'files', 'processes', 'steps'] as const;

/**
 * The machine fields the subsystems read beyond the spec's (the registry's configuration fields),
 * with how each is written: any other field is refused, since nobody would read it.
 */
export type ComponentMachineFields = ReadonlyMap<string, ConfigFieldKind>;

/** Reads the scenario tree from a parsed YAML source (shape only; of the registry, only the machine fields components read). */
export function readScenario(source: YamlSource, componentFields: ComponentMachineFields = new Map()): Scenario {
  return new ScenarioReader(source, componentFields).read();
}

class ScenarioReader {
  constructor(
    private readonly source: YamlSource,
    private readonly componentFields: ComponentMachineFields,
  ) {}

  read(): Scenario {
    const root = this.source.document.contents;
    if (!isMap(root)) {
      throw this.error(root, 'expected a map with machine, files, processes and steps at the top of the file');
    }
    let machine: MachineSpec = profileMachine(DEFAULT_PROFILE, { line: 1, column: 1 });
    let files: FileSpec[] = [];
    let processes: ProcessSpec[] = [];
    let steps: Step[] | undefined;
    for (const pair of root.items) {
      const key = this.keyOf(pair);
      switch (key) {
        case 'machine':
          machine = this.machine(pair.value as YamlNode | null);
          break;
        case 'files':
          files = this.files(pair.value as YamlNode | null);
          break;
        case 'processes':
          processes = this.processes(pair.value as YamlNode | null);
          break;
        case 'steps':
          steps = this.steps(pair.value as YamlNode | null, pair.key as YamlNode);
          break;
        default:
          throw this.error(pair.key, `unknown section ${key}: expected machine, files, processes or steps`, didYouMean(key, SECTIONS));
      }
    }
    if (steps === undefined) throw this.error(root, 'missing steps: a scenario needs a steps list');
    return { file: this.source.file, machine, files, processes, steps };
  }

  private machine(node: YamlNode | null): MachineSpec {
    const at = this.position(node);
    if (isStringScalar(node)) return profileMachine(this.profile(node), at);
    if (!isMap(node)) throw this.error(node, 'expected a profile name or a map of machine fields');
    let profile = DEFAULT_PROFILE;
    const overrides: Record<string, unknown> = {};
    for (const pair of node.items) {
      const field = this.keyOf(pair);
      const value = pair.value as YamlNode | null;
      switch (field) {
        case 'profile':
          if (!isStringScalar(value)) throw this.error(value, 'expected a profile name');
          profile = this.profile(value);
          break;
        case 'ram':
        case 'swap':
          overrides[field] = this.size(value, field);
          break;
        case 'tlb':
          overrides[field] = this.tlb(value);
          break;
        case 'policy': {
          if (!isStringScalar(value) || value.value === '') throw this.error(isScalar(value) && value.value !== null ? value : pair.key, `expected a page-replacement policy name (${POLICIES.join(', ')})`);
          if (!(POLICIES as readonly string[]).includes(value.value)) {
            throw this.error(value, `unknown policy ${value.value}: expected a page-replacement policy (${POLICIES.join(', ')})`, didYouMean(value.value, POLICIES));
          }
          overrides[field] = value.value;
          break;
        }
        case 'seed':
          overrides[field] = this.wholeNumber(value, 'seed');
          break;
        default: {
          const kind = this.componentFields.get(field);
          if (kind === undefined) {
            const components = [...this.componentFields.keys()].sort();
            const known = [...MACHINE_FIELDS, ...components];
            const expected = components.length > 0 ? `${MACHINE_FIELDS.join(', ')} or a field a component reads (${components.join(', ')})` : MACHINE_FIELDS.join(', ');
            throw this.error(pair.key, `unknown machine field ${field}: expected ${expected}`, didYouMean(field, known));
          }
          overrides[field] = this.componentField(value, field, kind);
        }
      }
    }
    return { profile, overrides, at };
  }

  private componentField(node: YamlNode | null, field: string, kind: ConfigFieldKind): unknown {
    switch (kind) {
      case 'size':
        return this.size(node, field);
      case 'count':
        return this.wholeNumber(node, field);
      case 'boolean':
        if (!isScalar(node) || typeof node.value !== 'boolean') throw this.error(node, `${field}: expected true or false`);
        return node.value;
      case 'any':
        return node === null ? null : node.toJSON();
    }
  }

  private profile(node: Scalar<string>): string {
    const name = node.value;
    if (PROFILES[name] === undefined) {
      throw this.error(node, `unknown profile ${name}: expected ${Object.keys(PROFILES).join(', ')}`, didYouMean(name, Object.keys(PROFILES)));
    }
    return name;
  }

  private size(node: YamlNode | null, field: string): number {
    const value = isScalar(node) ? node.value : undefined;
    const reading = readSize(value);
    if (!reading.ok) throw this.error(node, `${field}: ${reading.reason}`, reading.hint);
    return reading.value;
  }

  private tlb(node: YamlNode | null): Record<string, number | string | boolean> {
    if (!isMap(node)) throw this.error(node, 'expected { entries: N, ways: N }');
    const tlb: Record<string, number | string | boolean> = {};
    for (const pair of node.items) {
      const field = this.keyOf(pair);
      const value = pair.value as YamlNode | null;
      switch (field) {
        case 'entries':
        case 'ways':
          tlb[field] = this.wholeNumber(value, field, 1);
          break;
        case 'seed':
          tlb[field] = this.wholeNumber(value, field);
          break;
        case 'asids':
          if (!isScalar(value) || typeof value.value !== 'boolean') throw this.error(value, 'asids: expected true or false');
          tlb[field] = value.value;
          break;
        case 'replacement':
          if (!isStringScalar(value) || !(TLB_REPLACEMENTS as readonly string[]).includes(value.value)) {
            const written = isScalar(value) ? String(value.value) : '';
            throw this.error(value, `unknown tlb replacement ${written}: expected ${TLB_REPLACEMENTS.join(', ')}`, didYouMean(written, TLB_REPLACEMENTS));
          }
          tlb[field] = value.value;
          break;
        default:
          throw this.error(pair.key, `unknown tlb field ${field}: expected ${TLB_FIELDS.join(', ')}`, didYouMean(field, TLB_FIELDS));
      }
    }
    for (const field of ['entries', 'ways']) if (tlb[field] === undefined) throw this.error(node, `tlb needs ${field}`);
    return tlb;
  }

  private wholeNumber(node: YamlNode | null, field: string, minimum = 0): number {
    const value = isScalar(node) ? node.value : undefined;
    const reading = typeof value === 'number' ? { ok: true as const, value } : typeof value === 'string' ? readSize(value) : undefined;
    if (!reading || !reading.ok || !Number.isSafeInteger(reading.value) || reading.value < minimum) {
      throw this.error(node, `${field}: expected a whole number${minimum > 0 ? ` of at least ${minimum}` : ''}`);
    }
    return reading.value;
  }

  private files(node: YamlNode | null): FileSpec[] {
    if (!isMap(node)) throw this.error(node, 'expected a map of file paths, each { size: N } or { host: PATH }');
    return node.items.map((pair) => {
      const path = this.keyOf(pair);
      const at = this.position(pair.key as YamlNode);
      if (!path.startsWith('/')) throw this.error(pair.key, `bad file path ${path}: expected an absolute path starting with /`);
      const value = pair.value as YamlNode | null;
      if (!isMap(value)) throw this.error(value ?? pair.key, `file ${path}: expected { size: N } or { host: PATH }`);
      let size: number | undefined;
      let host: string | undefined;
      for (const field of value.items) {
        const name = this.keyOf(field);
        if (name === 'size') size = this.size(field.value as YamlNode | null, 'size');
        else if (name === 'host') {
          if (!isStringScalar(field.value)) throw this.error(field.value as YamlNode | null, 'host: expected the path of a real file');
          host = field.value.value;
        } else throw this.error(field.key, `unknown file field ${name}: expected size or host`, didYouMean(name, ['size', 'host']));
      }
      if (size === undefined && host === undefined) throw this.error(value, `file ${path}: expected size or host`);
      return { path, at, ...(size === undefined ? {} : { size }), ...(host === undefined ? {} : { host }) };
    });
  }

  private processes(node: YamlNode | null): ProcessSpec[] {
    if (!isSeq(node)) throw this.error(node, 'expected a list of processes, each { name: N, personality: posix|win32 }');
    return node.items.map((item) => {
      const entry = item as YamlNode | null;
      if (!isMap(entry)) throw this.error(entry, 'expected { name: N, personality: posix|win32 }');
      let name: string | undefined;
      let personality = 'posix';
      for (const pair of entry.items) {
        const field = this.keyOf(pair);
        const value = pair.value as YamlNode | null;
        if (field === 'name') {
          if (!isStringScalar(value) || !isIdentifier(value.value)) throw this.error(value, 'expected a process name (letters, digits and _)');
          name = value.value;
        } else if (field === 'personality') {
          if (!isStringScalar(value) || !(PERSONALITIES as readonly string[]).includes(value.value)) {
            const written = isScalar(value) ? String(value.value) : '';
            throw this.error(value, `unknown personality ${written}: expected posix or win32`, didYouMean(written, PERSONALITIES));
          }
          personality = value.value;
        } else throw this.error(pair.key, `unknown process field ${field}: expected name or personality`, didYouMean(field, ['name', 'personality']));
      }
      if (name === undefined) throw this.error(entry, 'a process needs a name');
      return { name, personality, at: this.position(entry) };
    });
  }

  private steps(node: YamlNode | null, owner: YamlNode): Step[] {
    if (!isSeq(node)) throw this.error(node ?? owner, 'expected a list of steps');
    return node.items.map((item) => this.step(item as YamlNode | null));
  }

  private step(node: YamlNode | null): Step {
    if (isStringScalar(node)) return parseStringStep(node.value, scalarLocator(this.source, node), this.source.file);
    if (isMap(node)) return this.mapStep(node);
    throw this.error(node, 'expected a step: a string, or a one-key map such as `- shell: mmap(…)`');
  }

  private mapStep(node: YAMLMap): Step {
    if (node.items.length !== 1) {
      throw this.error(node.items[1]?.key as YamlNode | null ?? node, 'expected a one-key map per step: start a new `- ` item for each step');
    }
    const pair = node.items[0]!;
    const keyNode = pair.key as YamlNode | null;
    if (!isStringScalar(keyNode)) throw this.error(keyNode, 'expected a process name, `repeat N` or `expect VIEW [P]` as the key');
    const key = parseStepKey(keyNode.value, scalarLocator(this.source, keyNode), this.source.file);
    const value = pair.value as YamlNode | null;
    const at = this.position(keyNode);
    switch (key.kind) {
      case 'repeat': {
        const steps = this.steps(value, keyNode);
        return { kind: 'repeat', at, source: keyNode.value, count: key.count, steps };
      }
      case 'expect': {
        if (!isStringScalar(value)) throw this.error(value ?? keyNode, 'expected a text block after `expect VIEW [P]:` (write `: |` and the lines)');
        const lines = parseTemplate(value.value, scalarLocator(this.source, value), this.source.file);
        return { kind: 'expect', at, source: keyNode.value, view: key.view, ...(key.process ? { process: key.process } : {}), block: value.value, lines };
      }
      case 'process': {
        if (!isStringScalar(value) || value.value.trim() === '') {
          throw this.error(value ?? keyNode, `expected an action for ${key.process.name}: a call like mmap(…) or read/write/exec ADDR`);
        }
        const source = `${keyNode.value}: ${value.value}`;
        return parseProcessAction(key.process, value.value, scalarLocator(this.source, value), this.source.file, source, at);
      }
    }
  }

  private keyOf(pair: Pair): string {
    const key = pair.key as YamlNode | null;
    if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number')) throw this.error(key, 'expected a plain key');
    return String(key.value);
  }

  private position(node: YamlNode | null | undefined): SourcePosition {
    return nodePosition(this.source, node);
  }

  private error(node: unknown, reason: string, hint?: string): ScenarioError {
    return new ScenarioError(this.source.file, this.position(node as YamlNode | null), reason, hint);
  }
}

function isIdentifier(text: string): boolean {
  return text.length > 0 && [...text].every((c, i) => c === '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9'));
}
