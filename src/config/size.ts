const UNIT_BYTES = { kb: 1_024, mb: 1_048_576, gb: 1_073_741_824 } as const;
type Unit = keyof typeof UNIT_BYTES;

/** An amount with a unit (KB, MB or GB, any case, 1 KB = 1024 bytes); no sign. */
const SIZE = /^(\d+(?:\.\d+)?)\s*([kmg]b)$/i;

/**
 * Parses a size written `512KB`, `10MB` or `1GB` into bytes. The unit is required, since a bare
 * number could mean bytes or megabytes. Returns undefined when the input is not such a size, so
 * that callers can report the problem with their own context.
 */
export function parseSize(input: string): number | undefined {
  const match = SIZE.exec(input);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNIT_BYTES[match[2]!.toLowerCase() as Unit]);
}
