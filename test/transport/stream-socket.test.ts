// StreamSocket (the TransportSocket behind the Deno and workerd transports) over a scripted
// ByteStream: ordering, backpressure, pause/resume, EOF and destroy, as node:net reports them.
import { describe, expect, it } from "vitest";
import { type ByteStream, StreamSocket } from "../../src/transport/stream-socket.js";
import type { SocketHandlers } from "../../src/transport/types.js";

/** A ByteStream whose reads are fed by the test and whose writes complete when the test says. */
class FakeStream implements ByteStream {
  readonly written: Uint8Array[] = [];
  readonly reads: Array<(v: Uint8Array | null) => void> = [];
  readonly pendingWrites: Array<() => void> = [];
  closed = 0;
  halfClosed = 0;
  autoWrite = true;
  read(): Promise<Uint8Array | null> {
    return new Promise((resolve) => this.reads.push(resolve));
  }
  write(data: Uint8Array): Promise<void> {
    this.written.push(data);
    if (this.autoWrite) return Promise.resolve();
    return new Promise((resolve) => this.pendingWrites.push(resolve));
  }
  closeWrite(): Promise<void> {
    this.halfClosed++;
    return Promise.resolve();
  }
  close(): void {
    this.closed++;
  }
  /** Completes the oldest pending read. */
  feed(v: Uint8Array | null): void {
    const r = this.reads.shift();
    if (r === undefined) throw new Error("no read pending");
    r(v);
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array[]) => new TextDecoder().decode(Buffer.concat(b));

function record(sock: StreamSocket) {
  const events: string[] = [];
  const data: Uint8Array[] = [];
  const handlers: SocketHandlers = {
    data: (c) => {
      data.push(c);
      events.push(`data:${new TextDecoder().decode(c)}`);
    },
    end: () => events.push("end"),
    error: (e) => events.push(`error:${e.message}`),
    close: () => events.push("close"),
    drain: () => events.push("drain"),
  };
  sock.setHandlers(handlers);
  return { events, data };
}

describe("StreamSocket", () => {
  it("handed over from a data handler, reads nothing more and says so (for TLS in a tunnel)", async () => {
    const stream = new FakeStream();
    const sock = new StreamSocket(stream);
    const seen: string[] = [];
    sock.setHandlers({
      data: (c) => {
        seen.push(new TextDecoder().decode(c));
        sock.handOver();
      },
      end: () => seen.push("end"),
      error: () => seen.push("error"),
      close: () => seen.push("close"),
      drain: () => {},
    });
    await tick();
    expect(sock.handedOver).toBe(false);
    stream.feed(bytes("HTTP/1.1 200 Connection Established\r\n\r\n"));
    await tick();
    expect(sock.handedOver).toBe(true);
    // no read in flight: the connection is the next layer's, and this socket reports nothing more
    expect(stream.reads).toHaveLength(0);
    expect(seen).toEqual(["HTTP/1.1 200 Connection Established\r\n\r\n"]);
    expect(stream.closed).toBe(0);
  });

  it("delivers reads in order, then end and close at EOF", async () => {
    const f = new FakeStream();
    const s = new StreamSocket(f);
    const { events } = record(s);
    await tick();
    f.feed(bytes("a"));
    await tick();
    f.feed(bytes("b"));
    await tick();
    f.feed(null);
    await tick();
    expect(events).toEqual(["data:a", "data:b", "end", "close"]);
    expect(s.destroyed).toBe(true);
    expect(f.closed).toBe(1);
  });

  it("holds data read while paused until resume", async () => {
    const f = new FakeStream();
    const s = new StreamSocket(f);
    const { events } = record(s);
    await tick();
    s.pause();
    f.feed(bytes("held"));
    await tick();
    expect(events).toEqual([]);
    s.pause();
    s.resume();
    await tick();
    expect(events).toEqual(["data:held"]);
    expect(f.reads.length).toBe(1); // reading again
  });

  it("writes in order, one at a time, and asks for drain past the high-water mark", async () => {
    const f = new FakeStream();
    f.autoWrite = false;
    const s = new StreamSocket(f);
    const { events } = record(s);
    expect(s.write(bytes("1"))).toBe(true);
    expect(s.write(new Uint8Array(70 * 1024))).toBe(false);
    expect(s.write(bytes("3"))).toBe(false);
    await tick();
    expect(f.written.length).toBe(1); // the second waits for the first
    while (f.pendingWrites.length > 0) {
      f.pendingWrites.shift()?.();
      await tick();
    }
    expect(f.written.map((w) => w.length)).toEqual([1, 70 * 1024, 1]);
    expect(events).toEqual(["drain"]);
  });

  it("joins small writev buffers into one write", async () => {
    const f = new FakeStream();
    const s = new StreamSocket(f);
    s.writev([bytes("GET / HTTP/1.1\r\n\r\n"), bytes("body")]);
    await tick();
    expect(f.written.length).toBe(1);
    expect(text(f.written)).toBe("GET / HTTP/1.1\r\n\r\nbody");
  });

  it("half-closes after queued writes on end()", async () => {
    const f = new FakeStream();
    f.autoWrite = false;
    const s = new StreamSocket(f);
    s.write(bytes("x"));
    s.end();
    expect(s.write(bytes("late"))).toBe(false);
    await tick();
    expect(f.halfClosed).toBe(0);
    f.pendingWrites.shift()?.();
    await tick();
    expect(f.halfClosed).toBe(1);
    expect(text(f.written)).toBe("x");
  });

  it("destroy(err) reports error then close once, asynchronously, and stops delivery", async () => {
    const f = new FakeStream();
    const s = new StreamSocket(f);
    const { events } = record(s);
    await tick();
    s.destroy(new Error("boom"));
    s.destroy(new Error("again"));
    expect(events).toEqual([]);
    await tick();
    f.feed(bytes("after"));
    await tick();
    expect(events).toEqual(["error:boom", "close"]);
    expect(f.closed).toBe(1);
  });

  it("a failed read or write destroys the socket with that error", async () => {
    const f = new FakeStream();
    f.write = () => Promise.reject(new Error("broken pipe"));
    const s = new StreamSocket(f);
    const { events } = record(s);
    s.write(bytes("x"));
    await tick();
    await tick();
    expect(events).toEqual(["error:broken pipe", "close"]);
  });
});
