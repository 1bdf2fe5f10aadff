// The DecompressionStream decoder used on workerd and in browsers, run under Node: the same
// chain decoder over the web platform's decompressors.
import * as zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../src/index.js";
import { type ContentDecoder, createDecoder } from "../../src/api/body/decode.js";
import { ContentDecodingError, DecodedBodyTooLarge, DecompressionRatioExceeded } from "../../src/errors.js";
import { acceptEncoding, type Platform, platform, setPlatform } from "../../src/runtime/platform.js";
import { webDecompression } from "../../src/runtime/web-decompression.js";

const BODY = new TextEncoder().encode(`${"web streams decode bodies too. ".repeat(400)}é€😀`);

async function decodeAll(decoder: ContentDecoder, chunks: Uint8Array[]): Promise<Buffer> {
  const out: Uint8Array[] = [];
  for (const c of chunks) out.push(...(await decoder.push(c)));
  out.push(...(await decoder.end()));
  return Buffer.concat(out);
}

async function rejection(p: Promise<unknown>): Promise<ContentDecodingError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ContentDecodingError);
  return err as ContentDecodingError;
}

describe("web decompression (DecompressionStream)", () => {
  let saved: Platform;
  beforeAll(() => {
    saved = platform();
    setPlatform({ ...saved, decompression: webDecompression });
  });
  afterAll(() => setPlatform(saved));

  it("advertises only gzip and deflate", () => {
    expect(acceptEncoding()).toBe("gzip, deflate");
  });

  it("decodes gzip, zlib-wrapped deflate and raw deflate", async () => {
    expect(await decodeAll(createDecoder("gzip"), [zlib.gzipSync(BODY)])).toEqual(Buffer.from(BODY));
    expect(await decodeAll(createDecoder("deflate"), [zlib.deflateSync(BODY)])).toEqual(Buffer.from(BODY));
    expect(await decodeAll(createDecoder("deflate"), [zlib.deflateRawSync(BODY)])).toEqual(Buffer.from(BODY));
  });

  it("decodes gzip fed in small pieces and a chain in reverse order", async () => {
    const gz = zlib.gzipSync(BODY);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < gz.length; i += 7) parts.push(gz.subarray(i, i + 7));
    expect(await decodeAll(createDecoder("gzip"), parts)).toEqual(Buffer.from(BODY));
    const chained = zlib.gzipSync(zlib.deflateSync(BODY));
    expect(await decodeAll(createDecoder("deflate, gzip"), [chained])).toEqual(Buffer.from(BODY));
  });

  it("leaves br as received: this platform cannot decode it", async () => {
    const br = zlib.brotliCompressSync(BODY);
    const d = createDecoder("br");
    expect(d.codings).toEqual([]);
    expect(await decodeAll(d, [br])).toEqual(br);
  });

  it("rejects corrupt and truncated data", async () => {
    const gz = zlib.gzipSync(BODY);
    const corrupt = Buffer.from(gz);
    corrupt.fill(0x55, 20, 60);
    expect((await rejection(decodeAll(createDecoder("gzip"), [corrupt]))).code).toBe("CONTENT_DECODING_ERROR");
    expect((await rejection(decodeAll(createDecoder("gzip"), [gz.subarray(0, gz.length - 10)]))).code).toBe(
      "CONTENT_DECODING_ERROR",
    );
  });

  it("stops a gzip bomb at the decoded-size limit", async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const err = await rejection(decodeAll(createDecoder("gzip", { maxDecodedBytes: 1024 * 1024 }), [bomb]));
    expect(err).toBeInstanceOf(DecodedBodyTooLarge);
    expect(err.code).toBe("DECODED_BODY_TOO_LARGE");
  });

  it("stops a gzip bomb at the ratio limit", async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const err = await rejection(decodeAll(createDecoder("gzip", { maxRatio: 100 }), [bomb]));
    expect(err).toBeInstanceOf(DecompressionRatioExceeded);
    expect(err.code).toBe("DECOMPRESSION_RATIO_EXCEEDED");
  });

  it("writes small pieces, so a DecompressionStream that bursts (Deno's) cannot let a huge one out", async () => {
    // Deno's DecompressionStream turns each write into one array of all its output. This one
    // does the same with node:zlib, and records the largest array it made.
    let largest = 0;
    class Bursting extends TransformStream<Uint8Array, Uint8Array> {
      constructor(_format: string) {
        const inputs: Uint8Array[] = [];
        let emitted = 0;
        super({
          transform(chunk, controller) {
            inputs.push(chunk.slice());
            const all = zlib.gunzipSync(Buffer.concat(inputs), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
            const out = all.subarray(emitted);
            emitted = all.length;
            largest = Math.max(largest, out.length);
            if (out.length > 0) controller.enqueue(new Uint8Array(out));
          },
        });
      }
    }
    const saved = globalThis.DecompressionStream;
    globalThis.DecompressionStream = Bursting as unknown as typeof DecompressionStream;
    try {
      // sanity: the stand-in decodes
      expect(await decodeAll(createDecoder("gzip"), [zlib.gzipSync(BODY)])).toEqual(Buffer.from(BODY));
      largest = 0;
      const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
      const err = await rejection(decodeAll(createDecoder("gzip", { maxRatio: 100 }), [bomb]));
      expect(err).toBeInstanceOf(DecompressionRatioExceeded);
      // 4 KiB of gzip decode to at most ~4.1 MiB; one 64 KiB write would have been ~66 MiB
      expect(largest).toBeGreaterThan(1024 * 1024);
      expect(largest).toBeLessThanOrEqual(1032 * 4 * 1024);
    } finally {
      globalThis.DecompressionStream = saved;
    }
  });
});
