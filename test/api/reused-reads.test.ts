// The Deno transport reads into slabs it reuses once a response's receiver holds none of the
// views it was given (TransportSocket.release). Run here in Node over a node:net socket dressed
// as a Deno connection, so that whatever the reuse would overwrite is seen: every response kept
// (buffered, streamed, decoded, HEAD, tiny and large, Content-Length and chunked) must still hold
// its own bytes after everything that followed it on the same connection.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import type { Response } from "../../src/index.js";
import { byteStream, type DenoConn } from "../../src/transport/deno.js";
import { StreamSocket } from "../../src/transport/stream-socket.js";
import type { Transport } from "../../src/transport/types.js";
import { onCleanup, runCleanups, session } from "./helpers.js";

afterEach(runCleanups);

/** A node:net socket with the read(p)/write(p) shape of a Deno connection. */
function denoConnOver(sock: Socket): DenoConn {
  const queue: Buffer[] = [];
  let ended = false;
  let waiter: (() => void) | undefined;
  const wake = () => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };
  sock.on("data", (b: Buffer) => {
    queue.push(b);
    wake();
  });
  sock.on("end", () => {
    ended = true;
    wake();
  });
  sock.on("close", () => {
    ended = true;
    wake();
  });
  return {
    read(p: Uint8Array): Promise<number | null> {
      return new Promise((resolve) => {
        const attempt = () => {
          const b = queue[0];
          if (b !== undefined) {
            const n = Math.min(b.length, p.length);
            p.set(b.subarray(0, n));
            if (n === b.length) queue.shift();
            else queue[0] = b.subarray(n);
            resolve(n);
          } else if (ended) resolve(null);
          else waiter = attempt;
        };
        attempt();
      });
    },
    write: (p: Uint8Array) => new Promise((resolve) => sock.write(p, () => resolve(p.length))),
    closeWrite: async () => {
      sock.end();
    },
    close: () => sock.destroy(),
    ref: () => sock.ref(),
    unref: () => sock.unref(),
  };
}

/** Sockets opened by the transport, to count connections. */
function denoShapedTransport(opened: Socket[]): Transport {
  return {
    connect: (o) =>
      new Promise((resolve, reject) => {
        const s = connect(o.port, o.host);
        opened.push(s);
        s.once("error", reject);
        s.once("connect", () => resolve(new StreamSocket(byteStream(denoConnOver(s)))));
      }),
  };
}

/** Bytes that differ per request and per position: a copy from the wrong place shows. */
function pattern(id: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = (id * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function server(): Promise<number> {
  const srv = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const id = Number(url.searchParams.get("id"));
    const n = Number(url.searchParams.get("n"));
    const body = pattern(id, n);
    const mode = url.pathname.slice(1);
    if (mode === "gzip") {
      res.writeHead(200, { "content-encoding": "gzip" });
      res.end(gzipSync(body));
    } else if (mode === "chunked") {
      // pieces of uneven sizes, each its own chunk
      res.writeHead(200, { "transfer-encoding": "chunked" });
      let at = 0;
      let step = 1000;
      while (at < n) {
        res.write(body.subarray(at, at + step));
        at += step;
        step = (step * 7) % 90_001 || 4096;
      }
      res.end();
    } else {
      res.writeHead(200, { "content-length": n });
      res.end(req.method === "HEAD" ? undefined : body);
    }
  });
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  onCleanup(() => {
    srv.closeAllConnections();
    return new Promise((resolve) => srv.close(resolve));
  });
  return (srv.address() as { port: number }).port;
}

describe("read memory reused by the Deno transport", () => {
  it("reads into the same slab again only after release(true), and never into what it handed out before release(false)", async () => {
    const feeds: Uint8Array[] = [];
    let waiting: ((n: number) => void) | undefined;
    let target: Uint8Array | undefined;
    const conn: DenoConn = {
      read(p) {
        target = p;
        const next = feeds.shift();
        if (next !== undefined) {
          p.set(next);
          return Promise.resolve(next.length);
        }
        return new Promise((resolve) => {
          waiting = resolve;
        });
      },
      write: async (p) => p.length,
      closeWrite: async () => {},
      close() {},
      ref() {},
      unref() {},
    };
    const bs = byteStream(conn);
    const big = (v: number) => new Uint8Array(8192).fill(v);
    const releaseOf = bs.release as (reusable: boolean) => void;

    feeds.push(big(1));
    const a = (await bs.read()) as Uint8Array;
    feeds.push(big(2));
    const b = (await bs.read()) as Uint8Array;
    expect(a.buffer).toBe(b.buffer); // one slab, views side by side
    expect(b.byteOffset).toBe(a.byteOffset + a.length);

    releaseOf(false); // a and b stay with their holders
    feeds.push(big(3));
    const c = (await bs.read()) as Uint8Array;
    expect(c.buffer).not.toBe(a.buffer);
    expect(a.every((x) => x === 1) && b.every((x) => x === 2)).toBe(true);

    releaseOf(true); // c is free: the next read lands where c was
    feeds.push(big(4));
    const d = (await bs.read()) as Uint8Array;
    expect(d.buffer).toBe(c.buffer);
    expect(d.byteOffset).toBe(c.byteOffset);

    // a release while a read is landing: that read belongs to what follows, later reads go elsewhere
    const pending = bs.read();
    releaseOf(true);
    (target as Uint8Array).set(big(5));
    waiting?.(8192);
    const e = (await pending) as Uint8Array;
    feeds.push(big(6));
    const f = (await bs.read()) as Uint8Array;
    expect(e.every((x) => x === 5)).toBe(true);
    expect(
      f.buffer === e.buffer && f.byteOffset < e.byteOffset + e.length && e.byteOffset < f.byteOffset + f.length,
    ).toBe(false);
  });

  it("every kept response still holds its own bytes after 240 more exchanges on the same connection", async () => {
    const port = await server();
    const opened: Socket[] = [];
    const s = session({ transport: denoShapedTransport(opened), pool_maxsize: 1 });
    s.trust_env = false;
    const sizes = [0, 100, 3000, 5000, 70_000, 300_000, 1_100_000];
    const modes = ["len", "chunked", "gzip", "stream", "head"] as const;
    const kept: Array<{ r: Response; id: number; n: number; mode: (typeof modes)[number]; streamed?: Uint8Array[] }> =
      [];
    let id = 0;
    for (let round = 0; round < 7; round++) {
      for (const n of sizes) {
        for (const mode of modes) {
          id++;
          const path = mode === "stream" || mode === "head" ? "len" : mode;
          const url = `http://127.0.0.1:${port}/${path}?id=${id}&n=${n}`;
          if (mode === "head") {
            const r = await s.head(url);
            expect(r.content.length).toBe(0);
            kept.push({ r, id, n, mode });
          } else if (mode === "stream") {
            const r = await s.get(url, { stream: true });
            const streamed: Uint8Array[] = [];
            for await (const piece of r.iter_content()) streamed.push(piece);
            kept.push({ r, id, n, mode, streamed });
          } else {
            kept.push({ r: await s.get(url), id, n, mode });
          }
        }
      }
    }
    expect(kept.length).toBe(7 * sizes.length * modes.length);
    for (const k of kept) {
      const want = sha(k.mode === "head" ? new Uint8Array(0) : pattern(k.id, k.n));
      const got = k.streamed !== undefined ? Buffer.concat(k.streamed) : k.r.content;
      expect(sha(got), `${k.mode} ${k.n} bytes (request ${k.id})`).toBe(want);
    }
    // one connection carried everything: the reuse was exercised, not sidestepped by new sockets
    expect(opened.length).toBe(1);
  });
});
