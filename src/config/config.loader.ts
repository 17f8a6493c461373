/**
 * Loads slotline.yaml into a validated, normalised, deeply frozen `Config`.
 *
 * Pipeline: YAML → `${VAR}` expansion on string scalars (env-expansion.ts) → coercion of strings
 * where the schema wants a number or boolean, and the TypeBox structure check (schema-check.ts) →
 * semantic checks and normalisation (normalise.ts, hours.ts). The first problem found is thrown
 * as a ConfigError naming its key path, e.g. `calendars[0].hours.mon[1]: ...`.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from './config-error.js';
import type { Config } from './config.types.js';
import { expandEnv } from './env-expansion.js';
import { normaliseConfig } from './normalise.js';
import { checkStructure } from './schema-check.js';

/** Reads and loads a config file; `env` supplies `${VAR}` values. */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    // Reported like any other config problem, so callers need to handle one error type only.
    throw new ConfigError(path, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return parseConfig(text, env);
}

/** Loads config from YAML text; `env` supplies `${VAR}` values. */
export function parseConfig(yamlText: string, env: NodeJS.ProcessEnv = process.env): Config {
  const raw = checkStructure(expandEnv(parseYaml(yamlText), env));
  return deepFreeze(normaliseConfig(raw));
}

function parseYaml(text: string): unknown {
  const lineCounter = new LineCounter();
  // The core (YAML 1.2) schema keeps unquoted dates such as 2026-12-24 as strings,
  // even in a file that declares `%YAML 1.1`, so override keys are always strings.
  const doc = parseDocument(text, { schema: 'core', prettyErrors: false, lineCounter });
  const [error] = doc.errors;
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    throw new ConfigError(`line ${line}, column ${col}`, error.message);
  }
  return doc.toJS();
}

/** Freezes objects and arrays all the way down; Maps stay mutable at run time (ReadonlyMap by type) but their values are frozen. */
function deepFreeze<T>(value: T): T {
  if (value instanceof Map) {
    for (const item of value.values()) deepFreeze(item);
  } else if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
