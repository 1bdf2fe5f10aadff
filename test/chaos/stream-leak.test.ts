// Chaos, what its memory numbers showed: a streamed response must become garbage once the caller
// drops it, whatever happened to its body (read to the end, closed unread, cut short by the
// server). Otherwise it keeps its body queue, its receiver and its connection (socket, buffers)
// alive for good, one set per such request.
//
// No timing: a full collection (gc exposed through v8 flags) after the response is dropped, a
// few turns of the event loop for FinalizationRegistry callbacks, and WeakRefs to check.
import { createServer } from "node:net";
import { setImmediate as immediate } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { RequestException } from "../../src/index.js";
import { listen, runCleanups, session } from "../api/helpers.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

afterEach(runCleanups);

/** Answers /whole with a whole body, /cut with a body cut short (then FIN), /big with 1 MiB. */
async function start(): Promise<string> {
  const srv = createServer((socket) => {
    socket.on("error", () => {});
    let buf = "";
    socket.on("data", (d: Buffer) => {
      buf += d.toString("latin1");
      for (let end = buf.indexOf("\r\n\r\n"); end >= 0; end = buf.indexOf("\r\n\r\n")) {
        const target = buf.slice(0, end).split(" ")[1];
        buf = buf.slice(end + 4);
        if (target === "/cut") socket.end("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part");
        else if (target === "/big")
          socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${1 << 20}\r\n\r\n${"x".repeat(1 << 20)}`);
        else socket.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nwhole");
      }
    });
  });
  return `http://127.0.0.1:${await listen(srv)}`;
}

/**
 * Runs `use` on `count` streamed responses from `path`, keeping only WeakRefs to them; how many
 * are still alive after they were dropped and memory was collected.
 */
async function survivors(path: string, use: (r: import("../../src/index.js").Response) => Promise<void>) {
  const base = await start();
  const s = session();
  s.trust_env = false;
  // each response lives in the frame of its own call, so that nothing here holds the last one
  const once = async (): Promise<WeakRef<object>> => {
    const r = await s.get(`${base}${path}`, { stream: true, timeout: 5 });
    await use(r);
    return new WeakRef(r);
  };
  const refs: WeakRef<object>[] = [];
  for (let i = 0; i < 20; i++) refs.push(await once());
  // one more, whole, so that the connection's last exchange is not one of those counted
  await (await s.get(`${base}/whole`, { stream: true, timeout: 5 })).read();
  // a WeakRef keeps its target for the rest of the job that made it: let jobs end, then collect,
  // and let FinalizationRegistry callbacks run between collections
  for (let i = 0; i < 5; i++) {
    await immediate();
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return refs.filter((r) => r.deref() !== undefined).length;
}

describe("a dropped streamed response is garbage", () => {
  it("read to the end (control)", async () => {
    expect(await survivors("/whole", async (r) => void (await r.read()))).toBe(0);
  });

  it("closed unread", async () => {
    expect(await survivors("/big", async (r) => r.close())).toBe(0);
  });

  it("its body cut short by the server (the read failed)", async () => {
    // (no expect(...).rejects here: the matcher would hold on to the error, and so the response)
    const failures: string[] = [];
    const alive = await survivors("/cut", async (r) => {
      try {
        await r.read();
        failures.push("read succeeded");
      } catch (err) {
        if (!(err instanceof RequestException)) failures.push(`untyped ${String(err)}`);
      }
    });
    expect(failures).toEqual([]);
    expect(alive).toBe(0);
  });
});
