import type { FastifyReply } from 'fastify';

/**
 * Whole answers of a read route, as the bytes sent, each kept under the change mark it was made
 * under: an answer is sent again only while the mark a request reads first is still the same.
 * The answer was made from data read after its mark, so it is never older than the mark; and a
 * request that reads the same mark saw no commit since (docs/ARCHITECTURE.md, "The bookings
 * list's answers"). Bounded by bytes: the answers sent least recently go first.
 *
 * An answer is kept from the second time its key is asked. One kept but never asked again (a
 * front desk paging through days, filters, searches) outlives the young generation, and its bytes,
 * held outside the heap, stay until a full collection: with every key new, that made a full
 * collection every second or two, each pausing the process for 7-24 ms (bench/README.md, 2026-12-02).
 */
export interface AnswerMemo {
  /**
   * The answer to `key` kept under `mark`, else the one `make` makes, then kept under `mark` if
   * `key` was asked before.
   */
  answer(key: string, mark: string, make: () => Promise<Buffer>): Promise<Buffer>;
}

/** What an entry holds beside its key, mark and bytes (the map's slot, the entry), roughly. */
const ENTRY_BYTES = 200;
/** Keys asked once and not kept, remembered at most: the oldest are forgotten first. */
const ASKED_ONCE = 1_024;

export function answerMemo(budgetBytes: number): AnswerMemo {
  const kept = new Map<string, { readonly mark: string; readonly body: Buffer; readonly bytes: number }>();
  const askedOnce = new Set<string>();
  let used = 0;
  const drop = (key: string) => {
    const entry = kept.get(key);
    if (!entry) return;
    kept.delete(key);
    used -= entry.bytes;
  };
  return {
    async answer(key, mark, make) {
      const entry = kept.get(key);
      if (entry?.mark === mark) {
        // Last in the map's order is the one sent most recently.
        kept.delete(key);
        kept.set(key, entry);
        return entry.body;
      }
      const body = await make();
      if (entry === undefined && !askedOnce.delete(key)) {
        askedOnce.add(key);
        if (askedOnce.size > ASKED_ONCE) askedOnce.delete(askedOnce.values().next().value!);
        return body;
      }
      drop(key);
      const bytes = ENTRY_BYTES + 2 * (key.length + mark.length) + body.byteLength;
      if (bytes > budgetBytes) return body;
      kept.set(key, { mark, body, bytes });
      used += bytes;
      for (const oldest of kept.keys()) {
        if (used <= budgetBytes) break;
        drop(oldest);
      }
      return body;
    },
  };
}

/** Sends a kept answer as Fastify sends the JSON it writes itself (the same content type). */
export function sendJsonBytes(reply: FastifyReply, body: Buffer): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(body);
}
