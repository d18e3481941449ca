/**
 * Every package README's TypeScript examples run: each ```ts block that imports a @vmlab
 * package is written beside the package's sources and imported, so an example that no longer
 * matches the API fails the build. (Blocks fenced as anything else — text, sh — are prose.)
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const workspace = resolve(__dirname, '../../..');

/** The ```ts blocks of a Markdown text that import a workspace package. */
export function runnableBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const fence = /^```ts\n([\s\S]*?)^```/gm;
  for (let match = fence.exec(markdown); match; match = fence.exec(markdown)) {
    if (/from '@vmlab\//.test(match[1]!)) blocks.push(match[1]!);
  }
  return blocks;
}

const packagesWithReadme = ['packages', 'apps', 'tools']
  .flatMap((group) => (existsSync(join(workspace, group)) ? readdirSync(join(workspace, group)).map((name) => join(group, name)) : []))
  .filter((dir) => existsSync(join(workspace, dir, 'README.md')) && existsSync(join(workspace, dir, 'src')));

describe('README examples', () => {
  it('finds the blocks to run', () => {
    expect(runnableBlocks("text\n```ts\nimport { a } from '@vmlab/kernel';\n```\n```sh\nnpm test\n```\n")).toEqual(["import { a } from '@vmlab/kernel';\n"]);
  });

  for (const dir of packagesWithReadme) {
    const blocks = runnableBlocks(readFileSync(join(workspace, dir, 'README.md'), 'utf8'));
    blocks.forEach((block, index) => {
      it(`${dir}/README.md example ${index + 1} runs`, async () => {
        const file = join(workspace, dir, 'src', `.readme-example-${index + 1}.ts`);
        writeFileSync(file, `${block}\nexport {};\n`);
        try {
          await import(pathToFileURL(file).href);
        } finally {
          rmSync(file, { force: true });
        }
      });
    });
  }
});
