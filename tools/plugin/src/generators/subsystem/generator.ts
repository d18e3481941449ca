/**
 * The `subsystem` generator: `npx nx g @vmlab/plugin:subsystem <name> --layer <layer>` creates
 * packages/<name> — package.json (exports map with the source condition, layer tag), protocol,
 * model, server, colocated tests, README — and adds it to the root TypeScript references. The
 * docs build and the test run find packages by folder, so nothing is left to hand-edit.
 */
import { generateFiles, installPackagesTask, names, updateJson, type GeneratorCallback, type Tree } from '@nx/devkit';
import { join } from 'node:path';

/** The layers a package can belong to, lowest first (the kernel is below all of them). */
export const LAYERS = ['hardware', 'allocator', 'subsystem', 'personality', 'app'] as const;

/** A layer name. */
export type Layer = (typeof LAYERS)[number];

/** Options of the subsystem generator. */
export interface SubsystemGeneratorOptions {
  /** Package name in kebab case: packages/<name>, @vmlab/<name>. */
  readonly name: string;
  /** The layer the package belongs to. */
  readonly layer: Layer;
  /** The subsystem id and message prefix (default: the name), e.g. `phys` for phys-allocator. */
  readonly id?: string;
  /** One line saying what it models. */
  readonly description?: string;
}

/** The template folder, in the sources whether this runs from src/ or dist/. */
const TEMPLATES = join(__dirname, '..', '..', '..', 'src', 'generators', 'subsystem', 'files');

const NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Creates the package in `tree`; throws with a clear message on a bad name, layer or an existing
 * package. The returned task runs `npm install`, which links the new workspace package.
 */
export function subsystemGenerator(tree: Tree, options: SubsystemGeneratorOptions): GeneratorCallback {
  if (!NAME_PATTERN.test(options.name)) throw new Error(`subsystem name must be kebab case (like phys-allocator), got "${options.name}"`);
  if (!LAYERS.includes(options.layer)) throw new Error(`layer must be one of ${LAYERS.join(', ')}, got "${options.layer}"`);
  const id = options.id ?? options.name;
  if (!NAME_PATTERN.test(id)) throw new Error(`subsystem id must be kebab case, got "${id}"`);
  const root = `packages/${options.name}`;
  if (tree.exists(root)) throw new Error(`${root} already exists`);
  const n = names(id);
  generateFiles(tree, TEMPLATES, root, {
    name: options.name,
    id,
    layer: options.layer,
    description: options.description ?? `The ${options.name} subsystem of vmlab.`,
    className: n.className,
    propertyName: n.propertyName,
    constantName: n.constantName,
    callPrefix: id.replace(/-/g, '_'),
    tmpl: '',
  });
  updateJson(tree, 'tsconfig.json', (json: { references?: { path: string }[] }) => {
    const references = json.references ?? [];
    if (!references.some((r) => r.path === root)) references.push({ path: root });
    references.sort((a, b) => a.path.localeCompare(b.path));
    return { ...json, references };
  });
  return () => installPackagesTask(tree, true);
}

export default subsystemGenerator;
