import type { CompiledQuery } from 'kysely';

/** The row a compiled query returns, as Kysely inferred it. */
export type RowOf<Q> = Q extends CompiledQuery<infer R> ? R : never;

/** The rows of each query of a batch, in order. */
export type RowsOf<Q extends readonly CompiledQuery[]> = { -readonly [K in keyof Q]: RowOf<Q[K]>[] };

/** How a dialect runs compiled queries; each store is built on one. */
export interface Runner {
  read<R>(query: CompiledQuery<R>): Promise<R[]>;
  /** Runs the statements as one transaction and returns the rows of each. */
  atomically<const Q extends readonly CompiledQuery[]>(queries: Q): Promise<RowsOf<Q>>;
}
