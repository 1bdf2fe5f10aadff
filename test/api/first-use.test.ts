// Code that loads on first use, used for the first time: the decoders load with the first body
// that has a Content-Encoding (until their code is in, the body waits on the decoding chain), the
// body encoders with the first request that has data= or json=. Each test imports reqwire afresh
// (vi.resetModules), so its first such request is the one that loads them.
import { createServer, type ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { listen, onCleanup, runCleanups } from "./helpers.js";

afterEach(runCleanups);
beforeEach(() => {
  vi.resetModules();
});

const BODY = Buffer.from(Array.from({ length: 4000 }, (_, i) => `line ${i} of the body\n`).join(""));
const GZ = gzipSync(BODY);

/** Writes `bytes` in pieces, a few ms apart, so the body arrives while the decoder loads. */
async function dribble(res: ServerResponse, bytes: Buffer, pieces = 8): Promise<void> {
  const step = Math.ceil(bytes.length / pieces);
  for (let at = 0; at < bytes.length; at += step) {
    res.write(bytes.subarray(at, at + step));
    await new Promise((r) => setTimeout(r, 5));
  }
  res.end();
}

/** Requests the server received, all paths. */
let received = 0;

async function server(): Promise<string> {
  received = 0;
  const srv = createServer((req, res) => {
    received++;
    if (req.url === "/gzip") {
      res.writeHead(200, { "content-encoding": "gzip" });
      void dribble(res, GZ);
    } else if (req.url === "/echo") {
      const parts: Buffer[] = [];
      req.on("data", (c: Buffer) => parts.push(c));
      req.on("end", () => {
        res.writeHead(200, { "content-type": String(req.headers["content-type"]) });
        res.end(Buffer.concat(parts));
      });
    } else if (req.url === "/long-chain") {
      res.writeHead(200, { "content-encoding": "gzip, gzip, gzip, gzip, gzip, gzip" });
      res.end(GZ);
    } else {
      res.writeHead(200, { "content-encoding": "gzip" });
      res.end(Buffer.from("this is not gzip at all"));
    }
  });
  const port = await listen(srv);
  return `http://127.0.0.1:${port}`;
}

async function freshSession() {
  const { Session } = await import("../../src/index.js");
  const s = new Session();
  s.trust_env = false;
  onCleanup(() => s.close());
  return s;
}

describe("the first encoded body of a fresh import", () => {
  it("is decoded whole when buffered", async () => {
    const base = await server();
    const r = await (await freshSession()).get(`${base}/gzip`);
    expect(Buffer.from(r.content).equals(BODY)).toBe(true);
  });

  it("is decoded in order when streamed", async () => {
    const base = await server();
    const r = await (await freshSession()).get(`${base}/gzip`, { stream: true });
    const parts: Uint8Array[] = [];
    for await (const part of r.iter_content()) parts.push(part);
    expect(Buffer.concat(parts).equals(BODY)).toBe(true);
  });

  it("fails with ContentDecodingError when Content-Encoding lists too many codings", async () => {
    const base = await server();
    const { ContentDecodingError } = await import("../../src/errors.js");
    const err = await (await freshSession()).get(`${base}/long-chain`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ContentDecodingError);
    expect((err as Error).message).toMatch(/codings/);
  });

  it("fails with ContentDecodingError when the body is not what it says", async () => {
    const base = await server();
    const { ContentDecodingError } = await import("../../src/errors.js");
    const err = await (await freshSession()).get(`${base}/bad`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ContentDecodingError);
  });
});

describe("the first body of a fresh import", () => {
  it("json= is encoded once its encoder is in, as requests writes it", async () => {
    const base = await server();
    const r = await (await freshSession()).post(`${base}/echo`, { json: { a: [1, "é"] } });
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.text).toBe('{"a": [1, "\\u00e9"]}');
  });

  it("data= fields are sent as a form", async () => {
    const base = await server();
    const r = await (await freshSession()).post(`${base}/echo`, { data: { q: "a b", n: [1, 2] } });
    expect(r.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(r.text).toBe("q=a+b&n=1&n=2");
  });

  it("json= that JSON cannot carry fails with InvalidJSONError, and nothing is sent", async () => {
    const base = await server();
    const { InvalidJSONError } = await import("../../src/errors.js");
    const err = await (await freshSession()).post(`${base}/echo`, { json: { x: Number.NaN } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidJSONError);
    expect(received).toBe(0);
  });
});
