import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '../config/config.loader.js';
import type { Config } from '../config/config.types.js';

const SHIPPED_EXAMPLE = fileURLToPath(new URL('../../examples/slotline.yaml', import.meta.url));

export interface ServeFlags {
  readonly config?: string;
  readonly port?: string;
  readonly host?: string;
  readonly database?: string;
}

/** The config file to use: the flag, then SLOTLINE_CONFIG, then ./slotline.yaml, then the shipped example. */
function configPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? env.SLOTLINE_CONFIG ?? (existsSync('slotline.yaml') ? 'slotline.yaml' : SHIPPED_EXAMPLE);
}

/**
 * The config with flags and environment laid over the file (flag, then environment, then file), and
 * the absolute path of the file it came from.
 */
export function resolveConfig(
  flags: ServeFlags,
  env: NodeJS.ProcessEnv = process.env,
): { config: Config; path: string } {
  const path = resolve(configPath(flags.config, env));
  const file = loadConfigFile(path, env);
  const port = flags.port ?? env.PORT;
  if (port !== undefined && !/^\d{1,5}$/.test(port)) throw new Error(`port: "${port}" is not a port number`);
  const config = Object.freeze({
    ...file,
    port: port === undefined ? file.port : Number(port),
    host: flags.host ?? file.host,
    database: flags.database ?? env.SLOTLINE_DATABASE ?? file.database,
  });
  return { config, path };
}
