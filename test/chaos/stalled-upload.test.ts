// Chaos, the stall the main run cannot make: a server that stops reading while the client is
// still sending the request body. Small bodies fit in the kernel's socket buffers, so this needs
// one larger than them (64 MiB). Whatever the body, the request must fail within its timeout
// (connect and read: requests' socket timeout covers sending too), not hang.
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { RequestException, type RequestOptions, Session } from "../../src/index.js";

const MiB = 1024 * 1024;
const TIMEOUT_S = 1;
/** Far beyond the request's own bound: reaching it means the request hangs. */
const HANG_MS = 10_000;

let server: Server | undefined;
const sockets = new Set<Socket>();
const sessions: Session[] = [];

afterEach(async () => {
  for (const s of sessions.splice(0)) s.close();
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  const srv = server;
  server = undefined;
  if (srv !== undefined) await new Promise<void>((resolve) => srv.close(() => resolve()));
});

/** A server that reads the first bytes of a request, then nothing more, and never answers. */
async function stopsReading(): Promise<string> {
  const srv = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.once("data", () => socket.pause());
  });
  server = srv;
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", () => resolve()));
  const address = srv.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return `http://127.0.0.1:${address.port}/upload`;
}

const body = new Uint8Array(64 * MiB);

async function* pieces(): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < body.length; at += MiB) yield body.subarray(at, at + MiB);
}

/** The request's outcome: "ok", the error's class name, or "hang". */
async function outcome(options: RequestOptions): Promise<string> {
  const url = await stopsReading();
  const s = new Session();
  s.trust_env = false;
  sessions.push(s);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve("hang"), HANG_MS);
  });
  const result = s.put(url, { ...options, timeout: TIMEOUT_S }).then(
    () => "ok",
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
