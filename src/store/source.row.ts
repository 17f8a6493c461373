import type { Selectable } from 'kysely';
import type { BusyRange, SourceState } from './source.js';
import type { SourceStateTable } from './source.table.js';

export function toBusyRange(row: {
  readonly resource_id: string | null;
  readonly source_id: string | null;
  readonly start_at: number;
  readonly end_at: number;
}): BusyRange {
  return { resourceId: row.resource_id, sourceId: row.source_id, start: row.start_at, end: row.end_at };
}

export function toSourceState(row: Selectable<SourceStateTable>): SourceState {
  return {
    sourceId: row.source_id,
    syncedAt: row.synced_at,
    attemptedAt: row.attempted_at,
    failures: row.failures,
    error: row.error,
    tag: row.tag,
    lastRead:
      row.busy_until === null || row.busy_digest === null || row.busy_zone === null
        ? null
        : { until: row.busy_until, digest: row.busy_digest, zone: row.busy_zone },
  };
}
