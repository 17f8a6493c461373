import { fail, type Path } from './config-error.js';

/** `${VAR}` and `${VAR:-default}` in the string scalars of a parsed YAML value. */

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rebuilds a YAML value with every string passed through `expandString`; keys are left alone. */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv, path: Path = []): unknown {
  if (typeof value === 'string') return expandString(value, env, path);
  if (Array.isArray(value)) return value.map((item, index) => expandEnv(item, env, [...path, index]));
  if (isMapping(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expandEnv(item, env, [...path, key])]));
  }
  return value;
}

/** Any `${`, up to the next `}`; the closing brace is captured separately to detect a missing one. */
const REFERENCE = /\$\{([^}]*)(\}?)/g;
const NAME_AND_DEFAULT = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

function expandString(text: string, env: NodeJS.ProcessEnv, path: Path): string {
  return text.replace(REFERENCE, (reference: string, inner: string, close: string) => {
    // A malformed reference is an error rather than literal text: `${PORT:3000}` is surely a typo.
    const match = close ? NAME_AND_DEFAULT.exec(inner) : null;
    if (!match) fail(path, `${reference} is not \${VAR} or \${VAR:-default}`);
    const name = match[1] as string;
    const fallback = match[2];
    const value = env[name];
    // As in the shell, `:-` also replaces a variable that is set but empty.
    if (fallback !== undefined) return value || fallback;
    if (value === undefined) fail(path, `environment variable ${name} is not set`);
    return value;
  });
}
