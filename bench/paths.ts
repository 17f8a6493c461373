/**
 * Where things are. The bench runs compiled (from dist/bench/bench/), so paths into the checkout
 * start from its root: the nearest folder above this file that holds package.json.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function checkoutRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error('the bench found no package.json above itself');
    folder = parent;
  }
  return folder;
}

export const ROOT = checkoutRoot();
export const SLOTLINE = join(ROOT, 'bin', 'slotline');
export const BENCH_SOURCES = join(ROOT, 'bench');
export const PROFILES = join(BENCH_SOURCES, 'profiles');
/** Beside this file, compiled: the bare server runs as a child process. */
export const BARE_SERVER = fileURLToPath(new URL('./bare-server.js', import.meta.url));
