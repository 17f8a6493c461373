/** The one error a config problem becomes, and the key paths it names. */

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    /** Where the problem is, e.g. `calendars[0].hours.mon[1]`; a line and column for YAML syntax errors. */
    readonly keyPath: string,
    readonly reason: string,
  ) {
    super(`${keyPath}: ${reason}`);
  }
}

export type Path = readonly (string | number)[];

/** `['calendars', 0, 'hours', 'mon']` → `calendars[0].hours.mon`; odd keys are quoted so that spaces show. */
export function formatPath(path: Path): string {
  const text = path
    .map((segment) => {
      if (typeof segment === 'number') return `[${segment}]`;
      return /^[\w-]+$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
    })
    .join('');
  return text.replace(/^\./, '') || '(root)';
}

export function fail(path: Path, reason: string): never {
  throw new ConfigError(formatPath(path), reason);
}
