import { describe, expect, it } from 'vitest';
import { capResponse, TooLargeError } from '../../src/shared/capped-response.js';

/** A response whose whole body is at hand, as a download the socket has buffered. */
function bufferedResponse(chunks: number, chunkBytes: number): Response {
  return new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < chunks; i++) controller.enqueue(new Uint8Array(chunkBytes).fill(i));
        controller.close();
      },
    }),
  );
}

describe('capResponse', () => {
  it('should read a body under the cap whole', async () => {
    const bytes = new Uint8Array(await capResponse(bufferedResponse(3, 1_024), 3_072).arrayBuffer());
    expect(bytes.byteLength).toBe(3_072);
    expect([bytes[0], bytes[1_024], bytes[2_048]]).toEqual([0, 1, 2]);
  });

  it('should fail with TooLargeError once the body passes the cap', async () => {
    await expect(capResponse(bufferedResponse(3, 1_024), 3_071).arrayBuffer()).rejects.toThrow(TooLargeError);
  });

  it('should let other work run while it reads a body that is at hand', async () => {
    let readWhole = false;
    let ranMeanwhile: boolean | undefined;
    setImmediate(() => (ranMeanwhile = !readWhole));
    await capResponse(bufferedResponse(3, 1_024), 3_072).arrayBuffer();
    readWhole = true;
    expect(ranMeanwhile).toBe(true);
  });
});
