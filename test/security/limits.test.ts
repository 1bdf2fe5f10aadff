// Security regressions: limits on what a response may make the client hold. A head over 16 KiB
// or with over 128 fields fails with ProtocolError as soon as the limit is crossed (the client
// neither buffers the rest nor waits for it), and the connection is not used again. Just under
// the limits, responses are read as usual.
import { afterEach, describe, expect, it } from "vitest";
import { ProtocolError } from "../../src/index.js";
import { raw, rawEach, rejection, runCleanups, session } from "../api/helpers.js";

afterEach(runCleanups);

const HEAD_LIMIT = 16 * 1024;
const FIELD_LIMIT = 128;

/** A response whose head is exactly `size` bytes with the given extra field lines. */
function headOfSize(size: number): string {
  const start = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Pad: ";
  const end = "\r\n\r\n";
  return `${start}${"a".repeat(size - start.length - end.length)}${end}ok`;
}

function withFields(count: number): string {
  // Content-Length is one of the fields
  const lines = Array.from({ length: count - 1 }, (_, i) => `X-F${i}: ${i}\r\n`).join("");
  return `HTTP/1.1 200 OK\r\nContent-Length: 2\r\n${lines}\r\nok`;
}

describe("response head limits", () => {
  it("header-size limit", async () => {
    const srv = await rawEach((req) => {
      if (req.target === "/at-limit") return headOfSize(HEAD_LIMIT);
      if (req.target === "/over-limit") return headOfSize(HEAD_LIMIT + 1);
      return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    });
    const s = session();
    s.trust_env = false;
    expect((await s.get(`${srv.url}/at-limit`)).headers["x-pad"]?.length).toBeGreaterThan(16_000);
    expect(await rejection(s.get(`${srv.url}/over-limit`))).toBeInstanceOf(ProtocolError);
    expect((await s.get(`${srv.url}/after`)).text).toBe("ok");
    expect(srv.seen.map((x) => x.connection)).toEqual([1, 1, 2]);

    // an endless head: the error comes once the limit is crossed, not at the end of the stream
    let written = 0;
    let clientClosed = false;
    const endless = await raw(async (conn) => {
      await conn.readRequest();
      conn.write("HTTP/1.1 200 OK\r\n");
      for (let i = 0; i < 10_000 && !conn.peerClosed; i++) {
        const line = `X-Long-${i}: ${"b".repeat(1000)}\r\n`;
        if (!conn.write(line)) break;
        written += line.length;
        await new Promise((resolve) => setImmediate(resolve));
      }
      clientClosed = await conn.waitForClientClose(5000);
    });
    const err = await rejection(s.get(`${endless.url}/endless`));
    expect(err).toBeInstanceOf(ProtocolError);
    await endless.idle(10_000);
    expect(clientClosed).toBe(true);
    expect(written).toBeLessThan(10_000 * 1000); // stopped long before the server's 10 MB
  });

  it("header-count limit", async () => {
    const srv = await rawEach((req) => {
      if (req.target === "/at-limit") return withFields(FIELD_LIMIT);
      if (req.target === "/over-limit") return withFields(FIELD_LIMIT + 1);
      if (req.target === "/many-empty") return withFields(10_000).replace(/X-F\d+: \d+/g, "X:");
      return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    });
    const s = session();
    s.trust_env = false;
    const r = await s.get(`${srv.url}/at-limit`);
    expect(r.headers[`x-f${FIELD_LIMIT - 2}`]).toBe(String(FIELD_LIMIT - 2));
    expect(await rejection(s.get(`${srv.url}/over-limit`))).toBeInstanceOf(ProtocolError);
    // tiny fields: many fit under the byte limit, the count limit still holds
    expect(await rejection(s.get(`${srv.url}/many-empty`))).toBeInstanceOf(ProtocolError);
    expect((await s.get(`${srv.url}/after`)).text).toBe("ok");
    expect(srv.seen.map((x) => x.connection)).toEqual([1, 1, 2, 3]);
  });
});
