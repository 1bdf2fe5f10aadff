// Chaos, the stalls the main run cannot make: a server that stops reading while the client is
// still sending the request body, and one that reads it slowly but steadily. Small bodies fit in
// the kernel's socket buffers, so this needs one larger than them (64 MiB). A server that stops
// reading fails the request within its timeout (requests' socket timeout covers sending too),
// never a hang; a server that keeps reading gets the whole body, however long it takes, and its
// answer: the read timeout counts from the end of the body.
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { RequestException, type RequestOptions } from "../../src/index.js";
import { listen, runCleanups, session } from "../api/helpers.js";

const MiB = 1024 * 1024;
const TIMEOUT_S = 1;
/** Far beyond the request's own bound: reaching it means the request hangs. */
const HANG_MS = 10_000;

afterEach(runCleanups);

/** A server that reads the first bytes of a request, then nothing more, and never answers. */
async function stopsReading(): Promise<string> {
  const srv = createServer((socket) => {
    socket.on("error", () => {});
    socket.once("data", () => socket.pause());
  });
  return `http://127.0.0.1:${await listen(srv)}/upload`;
}

const body = new Uint8Array(64 * MiB);

async function* pieces(): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < body.length; at += MiB) yield body.subarray(at, at + MiB);
}

/**
 * A server that reads a request body slowly but steadily: paused, then every 300 ms it takes
 * whatever the socket holds for 20 ms; it answers 200 once the body is all there. No silence of
 * the client's socket lasts anywhere near the timeout, but the whole upload takes longer than it.
 */
async function readsSlowly(): Promise<string> {
  const srv = createServer((socket) => {
    socket.on("error", () => {});
    let head = "";
    let length = -1;
    let got = 0;
    let chunkedTail = "";
    let answered = false;
    const timer = setInterval(() => {
      socket.resume();
      setTimeout(() => socket.pause(), 20);
    }, 300);
    socket.on("close", () => clearInterval(timer));
    socket.on("data", (d: Buffer) => {
      if (length < 0) {
        head += d.toString("latin1");
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        const cl = /\r\ncontent-length: *(\d+)/i.exec(head.slice(0, end));
        length = cl === null ? Number.POSITIVE_INFINITY : Number(cl[1]); // chunked: until the last chunk
        got = head.length - end - 4;
      } else {
        got += d.length;
        chunkedTail = (chunkedTail + d.toString("latin1")).slice(-5);
      }
      const whole = got >= length || (length === Number.POSITIVE_INFINITY && chunkedTail === "0\r\n\r\n");
      if (whole && !answered) {
        answered = true;
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      }
    });
    socket.pause();
  });
  return `http://127.0.0.1:${await listen(srv)}/upload`;
}

/** The request's outcome: "ok", the error's class name, or "hang". */
async function outcome(options: RequestOptions, server = stopsReading): Promise<string> {
  const url = await server();
  const s = session();
  s.trust_env = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve("hang"), HANG_MS);
  });
  const result = s.put(url, { timeout: TIMEOUT_S, ...options }).then(
    (r) => (r.status_code === 200 && r.text === "ok" ? "ok" : `status ${r.status_code}`),
    (err: unknown) => (err instanceof RequestException ? err.name : `untyped ${String(err)}`),
  );
  try {
    return await Promise.race([result, hang]);
  } finally {
    clearTimeout(timer);
  }
}

describe("a server that stops reading the request body", () => {
  it("a body of bytes fails within its timeout", async () => {
    expect(await outcome({ data: body })).toBe("ReadTimeout");
  });

  it("a streamed (chunked) body fails within its timeout", async () => {
    expect(await outcome({ data: pieces() })).not.toBe("hang");
  }, 60_000);

  it("a body of bytes with on_upload_progress fails within its timeout", async () => {
    expect(await outcome({ data: body, on_upload_progress: () => {} })).not.toBe("hang");
  }, 60_000);
});

describe("a server that reads the request body slowly but steadily", () => {
  // the upload outlasts the timeout, but the server never leaves the client's socket full for
  // longer than 0.3 s: the read timeout starts once the body is sent (as it does for a streamed
  // body, and as requests does), so nothing times out
  it("a body of bytes is sent whole and answered", async () => {
    expect(await outcome({ data: body, timeout: 1.5 }, readsSlowly)).toBe("ok");
  }, 60_000);

  it("a streamed (chunked) body is sent whole and answered", async () => {
    expect(await outcome({ data: pieces(), timeout: 1.5 }, readsSlowly)).toBe("ok");
  }, 60_000);
});
