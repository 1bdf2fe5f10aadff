// The node:net transport holds small writes until the end of the event loop's turn and writes each
// socket's in one piece (see HOLD_LIMIT in src/transport/node.ts). Order, end(), destroy() and
// backpressure must come out as if every write went straight to the socket.
import { createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { nodeTransport } from "../../src/transport/node.js";
import type { TransportSocket } from "../../src/transport/types.js";
import { listen, onCleanup, runCleanups } from "../api/helpers.js";

afterEach(runCleanups);

const bytes = (text: string) => new TextEncoder().encode(text);
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A server that keeps what each connection sent; a transport socket to it; the node:net writes it makes. */
async function connected(options: { read?: boolean } = {}) {
  let received = "";
  let peer: Socket | undefined;
  let ended = false;
  const server = createServer((s) => {
    peer = s;
    if (options.read === false) s.pause();
    s.on("data", (d: Buffer) => {
      received += d.toString("latin1");
    });
    s.on("end", () => {
      ended = true;
    });
  });
  const port = await listen(server);
  const socket = await nodeTransport.connect({ host: "127.0.0.1", port });
  onCleanup(() => socket.destroy());
  socket.setHandlers({ data() {}, end() {}, error() {}, close() {}, drain() {} });
  const raw = (socket as TransportSocket & { raw: Socket }).raw;
  const writes: string[] = [];
  const write = raw.write.bind(raw) as (data: Uint8Array) => boolean;
  raw.write = ((data: Uint8Array) => {
    writes.push(Buffer.from(data).toString("latin1"));
    return write(data);
  }) as typeof raw.write;
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  return { socket, writes, received: () => received, ended: () => ended, peer: () => peer, until };
}

describe("node:net transport: small writes held to the end of the turn", () => {
  it("writes the small writes of one turn as one piece, in order, once the turn's I/O is done", async () => {
    const c = await connected();
    expect(c.socket.write(bytes("GET /a HTTP/1.1\r\n\r\n"))).toBe(true);
    expect(c.socket.writev([bytes("POST /b HTTP/1.1\r\n"), bytes("\r\n"), bytes("body")])).toBe(true);
    expect(c.writes).toEqual([]);
    expect(c.socket.pendingBytes).toBe(43);
    await turn();
    expect(c.writes).toEqual(["GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\n\r\nbody"]);
    await c.until(() => c.received().length === 43);
    expect(c.received()).toBe("GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\n\r\nbody");
  });

  it("a large write goes at once, after what is held; so do end() and what precedes it", async () => {
    const c = await connected();
    const big = "x".repeat(20_000);
    c.socket.write(bytes("head;"));
    c.socket.write(bytes(big));
    expect(c.writes).toEqual(["head;", big]);
    c.socket.write(bytes("tail"));
    c.socket.end();
    expect(c.writes).toEqual(["head;", big, "tail"]);
    await c.until(c.ended);
    expect(c.received()).toBe(`head;${big}tail`);
  });

  it("destroy() drops what is held: nothing of it is written", async () => {
    const c = await connected();
    c.socket.write(bytes("never"));
    c.socket.destroy();
    await turn();
    await turn();
    expect(c.writes).toEqual([]);
    expect(c.received()).toBe("");
  });

  it("keeps backpressure honest: once the kernel stops taking bytes, writes go through Node and say so", async () => {
    const c = await connected({ read: false });
    const chunk = bytes("y".repeat(64 * 1024));
    let ok = true;
    for (let i = 0; i < 2000 && ok; i++) ok = c.socket.write(chunk);
    expect(ok).toBe(false);
    const before = c.writes.length;
    // a small write now is not held (Node has bytes waiting): it is written at once, in order, and
    // reports the socket's state
    expect(c.socket.write(bytes("small"))).toBe(false);
    expect(c.writes.length).toBe(before + 1);
    expect(c.writes[c.writes.length - 1]).toBe("small");
  });
});
