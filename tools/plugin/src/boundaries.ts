/**
 * The layering check (run by `npm test`, and alone by `npm run check:boundaries`).
 *
 * Layers, lowest first: kernel < hardware < allocator < subsystem < personality < app; tools
 * stand aside. Each workspace package carries its layer as the Nx tag `layer:<name>`. Rules:
 *
 * 1. A component (hardware … personality) imports another component only through its
 *    `/protocol` subpath (never the implementation), and only from its own layer or below.
 * 2. Nothing below app imports an app; only tests and benchmarks import tools.
 * 3. Package dependencies form no cycle (two packages of one layer cannot import each other).
 * 4. Every imported workspace package is declared in package.json and referenced in
 *    tsconfig.json (TypeScript silently re-checks the source when a reference is missing).
 * 5. No relative import leaves its package.
 *
 * Imports are read with TypeScript's own pre-processor, not regular expressions.
 */
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** A workspace package as the check sees it. */
export interface WorkspacePackage {
  /** Its npm name. */
  readonly name: string;
  /** Its folder. */
  readonly root: string;
  /** Its layer tag value, if any. */
  readonly layer: string | undefined;
  /** Dependencies declared in its package.json. */
  readonly declared: ReadonlySet<string>;
  /** Absolute folders of its tsconfig references. */
  readonly references: ReadonlySet<string>;
}

const RANK: Record<string, number> = { kernel: 0, hardware: 1, allocator: 2, subsystem: 3, personality: 4, app: 5 };
const COMPONENT_LAYERS = new Set(['hardware', 'allocator', 'subsystem', 'personality']);

/** Reads every workspace package's manifest, layer and references. */
export function loadPackages(workspace: string): Map<string, WorkspacePackage> {
  const packages = new Map<string, WorkspacePackage>();
  for (const group of ['packages', 'apps', 'tools']) {
    const base = join(workspace, group);
    if (!existsSync(base)) continue;
    for (const dir of readdirSync(base).sort()) {
      const root = join(base, dir);
      const manifestPath = join(root, 'package.json');
      if (!existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      const tag = ((manifest.nx?.tags ?? []) as string[]).find((t) => t.startsWith('layer:'));
      const tsconfigPath = join(root, 'tsconfig.json');
      const tsconfig = existsSync(tsconfigPath) ? ts.readConfigFile(tsconfigPath, ts.sys.readFile).config ?? {} : {};
      packages.set(manifest.name, {
        name: manifest.name,
        root,
        layer: tag ? tag.slice('layer:'.length) : undefined,
        declared: new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})]),
        references: new Set(((tsconfig.references ?? []) as { path: string }[]).map((r) => resolve(root, r.path))),
      });
    }
  }
  return packages;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (entry !== 'node_modules' && entry !== 'dist' && entry !== 'files') sourceFiles(path, out);
    } else if (/\.(ts|tsx|mts|cts)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Checks the workspace's layering; returns one message per problem, each naming file:line:column. */
export function checkBoundaries(workspace: string): string[] {
  const packages = loadPackages(workspace);
  const problems: string[] = [];
  const edges = new Map<string, Set<string>>();
  for (const pkg of packages.values()) {
    const where = relative(workspace, pkg.root);
    if (!pkg.layer) {
      problems.push(`${where}/package.json: no layer tag (nx.tags needs "layer:<kernel|hardware|allocator|subsystem|personality|app|tool>")`);
      continue;
    }
    if (pkg.layer !== 'tool' && !(pkg.layer in RANK)) problems.push(`${where}/package.json: unknown layer "${pkg.layer}"`);
    edges.set(pkg.name, new Set());
    for (const file of sourceFiles(join(pkg.root, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const isTestOrBench = /\.(test|bench|property\.test)\.tsx?$/.test(file) || file.includes(`${sep}fixtures${sep}`);
      for (const imported of ts.preProcessFile(text, true, true).importedFiles) {
        const spec = imported.fileName;
        const { line, character } = ts.getLineAndCharacterOfPosition(ts.createSourceFile(file, text, ts.ScriptTarget.Latest), imported.pos);
        const at = `${relative(workspace, file)}:${line + 1}:${character + 1}`;
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          if (!target.startsWith(pkg.root + sep)) problems.push(`${at}: relative import "${spec}" leaves ${pkg.name}; import the package instead`);
          continue;
        }
        const match = /^(@vmlab\/[^/]+)(?:\/(.*))?$/.exec(spec);
        if (!match) continue;
        const targetName = match[1]!;
        const subpath = match[2];
        if (targetName === pkg.name) continue;
        const target = packages.get(targetName);
        if (!target) {
          problems.push(`${at}: ${spec} is not a workspace package`);
          continue;
        }
        if (!pkg.declared.has(targetName)) problems.push(`${at}: imports ${targetName} but ${where}/package.json does not declare it`);
        if (!pkg.references.has(target.root)) problems.push(`${at}: imports ${targetName} but ${where}/tsconfig.json has no reference to ${relative(pkg.root, target.root)}`);
        if (!isTestOrBench) edges.get(pkg.name)!.add(targetName);
        const rule = layerRule(pkg, target, subpath, isTestOrBench);
        if (rule) problems.push(`${at}: ${rule}`);
      }
    }
  }
  const cycle = findCycle(edges);
  if (cycle) problems.push(`dependency cycle: ${cycle.join(' → ')}`);
  return problems;
}

function layerRule(from: WorkspacePackage, to: WorkspacePackage, subpath: string | undefined, isTestOrBench: boolean): string | undefined {
  if (to.layer === 'tool') {
    return from.layer === 'tool' || isTestOrBench ? undefined : `${from.name} (${from.layer}) imports the tool ${to.name} outside tests and benchmarks`;
  }
  if (to.layer === 'kernel' || from.layer === 'tool' || from.layer === 'app' && to.layer !== 'app') return undefined;
  if (to.layer === 'app') return from.layer === 'app' ? undefined : `${from.name} (${from.layer}) imports the app ${to.name}`;
  if (from.layer === 'kernel') return `the kernel imports ${to.name}: the kernel depends on no component`;
  if (COMPONENT_LAYERS.has(from.layer!) && COMPONENT_LAYERS.has(to.layer!)) {
    if (RANK[to.layer!]! > RANK[from.layer!]!) return `${from.name} (${from.layer}) imports ${to.name} from the higher layer ${to.layer}`;
    if (subpath !== 'protocol' && !isTestOrBench) {
      return `${from.name} imports ${to.name}${subpath ? '/' + subpath : ''}, another component's implementation; import ${to.name}/protocol and talk through the bus`;
    }
  }
  return undefined;
}

function findCycle(edges: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys()) {
    if (!state.has(node)) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return undefined;
}

