// Code loaded on first use (src/lazy.ts, src/transport/deferred.ts): loaded once, shared by
// callers, and a load that fails is a typed error naming what could not be loaded, tried again
// by the next caller.
import { describe, expect, it } from "vitest";
import { RequestException } from "../../src/errors.js";
import { lazy } from "../../src/lazy.js";
import { deferredTransport } from "../../src/transport/deferred.js";
import { ConnectError, type Transport, type TransportSocket } from "../../src/transport/types.js";

describe("lazy", () => {
  it("loads once for every caller and keeps the module for callers that cannot wait", async () => {
    let loads = 0;
    const get = lazy(async () => {
      loads++;
      return { value: 42 };
    }, "test");
    expect(get.loaded).toBeUndefined();
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(get.loaded).toBe(a);
    expect(await get()).toBe(a);
    expect(loads).toBe(1);
  });

  it("reports a failed load as a RequestException naming the code, and tries again next time", async () => {
    let loads = 0;
    const cause = new TypeError("Failed to fetch dynamically imported module: ./chunk-x.js");
    const get = lazy(async () => {
      if (++loads === 1) throw cause;
      return "in";
    }, "proxy");
    const err = await get().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RequestException);
    expect((err as Error).message).toContain("could not load its proxy code");
    expect((err as Error).cause).toBe(cause);
    expect(get.loaded).toBeUndefined();
    expect(await get()).toBe("in");
    expect(loads).toBe(2);
  });
});

describe("deferredTransport", () => {
  const socket = {} as TransportSocket;

  it("connects through the loaded transport, loading it once; startTls only when declared", async () => {
    let loads = 0;
    const calls: string[] = [];
    const inner: Transport = {
      connect: async (o) => {
        calls.push(`connect ${o.host}`);
        return socket;
      },
      startTls: async (_s, o) => {
        calls.push(`tls ${o.host}`);
        return socket;
      },
    };
    const t = deferredTransport(async () => {
      loads++;
      return inner;
    }, true);
    await Promise.all([t.connect({ host: "a", port: 1 }), t.connect({ host: "b", port: 1 })]);
    await t.startTls?.(socket, { host: "c", port: 1 });
    expect(calls).toEqual(["connect a", "connect b", "tls c"]);
    expect(loads).toBe(1);
    expect(deferredTransport(async () => inner, false).startTls).toBeUndefined();
  });

  it("fails a connect with a ConnectError when the socket code cannot be loaded, and loads again next time", async () => {
    let loads = 0;
    const t = deferredTransport(async () => {
      if (++loads === 1) throw new Error("chunk missing");
      return { connect: async () => socket };
    }, false);
    const err = await t.connect({ host: "a", port: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as Error).message).toContain("could not load its socket code (chunk missing)");
    expect(await t.connect({ host: "a", port: 1 })).toBe(socket);
    expect(loads).toBe(2);
  });
});
