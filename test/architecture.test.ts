import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The shape of src/ that keeps it easy to find one's way: no import cycles, no file too long to
 * read, and an engine that stays pure. Read from the source text, so it needs no build.
 */
const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const MAX_LINES = 350;

/** Paths relative to src/, with `/` separators. */
const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.split('\\').join('/'))
  .sort();

/** Every module specifier a file names: imports, `import type`, re-exports and `import()`. */
function specifiers(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  return ts.preProcessFile(text, true, true).importedFiles.map((imported) => imported.fileName);
}

/** The src/ file a relative specifier names (`./zone.js` is `zone.ts`); undefined for a package. */
function resolveLocal(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return relative(SRC, join(SRC, dirname(from), specifier.replace(/\.js$/, '.ts')))
    .split('\\')
    .join('/');
}

const graph = new Map(
  files.map((file) => [
    file,
    specifiers(file).flatMap((specifier) => {
      const target = resolveLocal(file, specifier);
      return target !== undefined && files.includes(target) ? [target] : [];
    }),
  ]),
);

/** The strongly connected components of more than one file, or of a file importing itself (Tarjan). */
function cycles(): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    for (const target of graph.get(file)!) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (stack.includes(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component = stack.splice(stack.indexOf(file));
    if (component.length > 1 || graph.get(file)!.includes(file)) found.push(component.sort().join(' <-> '));
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return found.sort();
}

/** Lines as `wc -l` counts them in a file that ends with a newline. */
function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

describe('the architecture of src/', () => {
  it('should find the source files', () => {
    expect(files).toContain('engine/availability.ts');
  });

  it('should have no import cycle, type-only imports included', () => {
    expect(cycles()).toEqual([]);
  });

  it(`should have no file over ${MAX_LINES} lines`, () => {
    const oversized = files.filter((file) => lineCount(readFileSync(join(SRC, file), 'utf8')) > MAX_LINES);
    expect(oversized).toEqual([]);
  });

  it('should keep the engine free of anything but luxon and itself', () => {
    const outside = files
      .filter((file) => file.startsWith('engine/'))
      .flatMap((file) =>
        specifiers(file)
          .filter((specifier) => specifier !== 'luxon' && !resolveLocal(file, specifier)?.startsWith('engine/'))
          .map((specifier) => `${file} imports ${specifier}`),
      );
    expect(outside).toEqual([]);
  });
});
