import { existsSync } from 'node:fs';
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

/** The config with flags and environment laid over the file: flag, then environment, then file. */
export function resolveConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const file = loadConfigFile(configPath(flags.config, env), env);
  const port = flags.port ?? env.PORT;
  if (port !== undefined && !/^\d{1,5}$/.test(port)) throw new Error(`port: "${port}" is not a port number`);
  return Object.freeze({
    ...file,
    port: port === undefined ? file.port : Number(port),
    host: flags.host ?? file.host,
    database: flags.database ?? env.SLOTLINE_DATABASE ?? file.database,
  });
}
