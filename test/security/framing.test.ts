// Security regressions: response framing a client must not guess at (request/response
// smuggling, desync). Each ambiguous or invalid framing fails the request with a typed error, no
// part of the message is delivered as a response, and the connection is never used again (its
// position in the byte stream is unknown): the next request goes on a new connection and gets
// its own response.
import { afterEach, describe, expect, it } from "vitest";
import { ChunkedEncodingError, ProtocolError, type RequestException } from "../../src/index.js";
import { rawEach, rejection, runCleanups, session } from "../api/helpers.js";

afterEach(runCleanups);

/**
 * A server that answers /bad with `bad` and anything else with "fine"; then a GET /bad must fail
 * with `cls` and the GET /next after it must succeed on a new connection.
 */
async function refusedThenFresh(bad: string, cls: typeof RequestException): Promise<RequestException> {
  const srv = await rawEach((req) =>
    req.target === "/bad" ? bad : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfine!",
  );
  const s = session();
  s.trust_env = false;
  // warm the pool first, so that the bad response comes on a reused connection
  expect((await s.get(`${srv.url}/warm`)).text).toBe("fine!");
  const err = await rejection(s.get(`${srv.url}/bad`));
  expect(err, JSON.stringify(bad)).toBeInstanceOf(cls);
  const next = await s.get(`${srv.url}/next`);
  expect(next.text).toBe("fine!");
  expect(srv.seen.map((x) => [x.req.target, x.connection])).toEqual([
    ["/warm", 1],
    ["/bad", 1],
    ["/next", 2],
  ]);
  return err as RequestException;
}

describe("response framing", () => {
  it("duplicate Content-Length in different case", async () => {
    // differing values: which one frames the body is the smuggling question; neither is taken
    for (const [a, b] of [
      ["Content-Length", "content-length"],
      ["content-length", "CONTENT-LENGTH"],
      ["Content-Length", "Content-length"],
    ] as const) {
      await refusedThenFresh(`HTTP/1.1 200 OK\r\n${a}: 5\r\n${b}: 11\r\n\r\nhello world`, ProtocolError);
      await refusedThenFresh(`HTTP/1.1 200 OK\r\n${a}: 11\r\n${b}: 5\r\n\r\nhello world`, ProtocolError);
    }
    await refusedThenFresh("HTTP/1.1 200 OK\r\nContent-Length: 5, 11\r\n\r\nhello world", ProtocolError);
    // the same value twice, in any case, is one length (RFC 9110 §8.6)
    const srv = await rawEach(() => "HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-LENGTH: 5\r\n\r\nhello");
    const s = session();
    expect((await s.get(`${srv.url}/same`)).text).toBe("hello");
  });

  it("Content-Length with Transfer-Encoding (CL.TE)", async () => {
    const body = "5\r\nhello\r\n0\r\n\r\n";
    for (const fields of [
      `Content-Length: ${body.length}\r\nTransfer-Encoding: chunked`,
      `Transfer-Encoding: chunked\r\nContent-Length: ${body.length}`,
      `Content-Length: 3\r\ntransfer-encoding: CHUNKED`,
      `Transfer-Encoding: gzip, chunked\r\nContent-Length: ${body.length}`,
      `Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked`,
    ]) {
      await refusedThenFresh(`HTTP/1.1 200 OK\r\n${fields}\r\n\r\n${body}`, ProtocolError);
    }
  });

  it("chunk-size overflow", async () => {
    for (const size of [
      "10000000000000005", // 2^64 + 5: 5 in 64-bit arithmetic
      "fffffffffffffffff5",
      "20000000000000", // 2^53: over Number.MAX_SAFE_INTEGER
      "100000000000000000000000000000005",
    ]) {
      const err = await refusedThenFresh(
        `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\nhello\r\n0\r\n\r\n`,
        ChunkedEncodingError,
      );
      expect(err.response?.status_code).toBe(200); // the head was fine; the body never is
    }
  });

  it("'+' in Content-Length", async () => {
    for (const value of ["+5", "-5", "+0", "0x5", "5.0", "5e0", "5 5", "5;", "\u00a05"]) {
      await refusedThenFresh(`HTTP/1.1 200 OK\r\nContent-Length: ${value}\r\n\r\nhello`, ProtocolError);
    }
    // digits of other scripts, as UTF-8 bytes (ARABIC-INDIC DIGIT FIVE, FULLWIDTH DIGIT FIVE)
    for (const digit of ["\u0665", "\uff15"]) {
      const bytes = Buffer.from(digit, "utf8").toString("latin1");
      await refusedThenFresh(`HTTP/1.1 200 OK\r\nContent-Length: ${bytes}\r\n\r\nhello`, ProtocolError);
    }
  });
});
