import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Downloads from calendars elsewhere are capped: the body is read as a stream and the download
 * aborted once it passes the cap, so an endless or huge answer never sits in memory whole.
 */

export class TooLargeError extends Error {
  override readonly name = 'TooLargeError';

  constructor(maxBytes: number) {
    super(`the calendar's answer is larger than ${formatSize(maxBytes)} (max_size)`);
  }
}

/**
 * The response with a body that fails with TooLargeError after `maxBytes`; reading it (`text()`)
 * then rejects and the connection is closed. A declared Content-Length over the cap fails at once.
 */
export function capResponse(response: Response, maxBytes: number): Response {
  if (Number(response.headers.get('content-length')) > maxBytes) {
    void response.body?.cancel();
    throw new TooLargeError(maxBytes);
  }
  if (!response.body) return response;
  let received = 0;
  // An error in the transform cancels the source, which aborts the download.
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      async transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > maxBytes) return controller.error(new TooLargeError(maxBytes));
        controller.enqueue(chunk);
        // Chunks pass from the socket to the reader in microtasks, so a download that the socket
        // holds buffered (megabytes on a fast link) would be read whole in one turn of the event
        // loop, holding up every request meanwhile (5-14 ms at a time for 10 MB of the bench's
        // 50 MB feed). Waiting a turn per chunk lets requests in between; the download waits
        // meanwhile (backpressure).
        await nextTurn();
      },
    }),
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

function formatSize(bytes: number): string {
  const megabytes = bytes / 1_048_576;
  return megabytes >= 1 ? `${Math.round(megabytes * 10) / 10} MB` : `${Math.round(bytes / 1_024)} KB`;
}
