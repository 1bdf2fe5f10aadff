// The DecompressionStream decoder used on workerd and in browsers, run under Node: the same
// chain decoder over the web platform's decompressors.
import * as zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../src/index.js";
import { type ContentDecoder, createDecoder } from "../../src/api/body/decode.js";
import { ContentDecodingError, DecodedBodyTooLarge } from "../../src/errors.js";
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
});
