const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** An amount with an optional unit; no sign, so a negative duration is never accepted. */
const DURATION = /^(\d+(?:\.\d+)?)(ms|[smhd])?$/;

/**
 * Parses a duration written `90s`, `30m`, `2h` or `14d` (or `500ms`) into milliseconds.
 * A bare number, or a numeric string, counts as minutes. Returns undefined
 * when the input is not a non-negative duration, so that callers can report
 * the problem with their own context.
 */
export function parseDuration(input: number | string): number | undefined {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0 ? Math.round(input * UNIT_MS.m) : undefined;
  }
  const match = DURATION.exec(input);
  if (!match) return undefined;
  const unit = (match[2] ?? 'm') as Unit;
  return Math.round(Number(match[1]) * UNIT_MS[unit]);
}
