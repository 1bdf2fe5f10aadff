// reqwire/fetch: the fetch build by name (dist/fetch.js, which browsers and edge runtimes get by
// export condition), for a Node user who wants requests to go through fetch everywhere.
import { describe, expect, it } from "vitest";
import type * as Main from "../../src/main.js";
import { httpServer, runCleanups } from "../api/helpers.js";
import { resolveImport, resolveRequire } from "../support/exports.js";

describe("reqwire/fetch", () => {
  it("is exported with the main types, for import and require", () => {
    expect(resolveImport("reqwire/fetch")).toEqual({ js: "dist/fetch.js", types: "dist/index.d.ts" });
    expect(resolveRequire("reqwire/fetch")).toEqual({ js: "dist/fetch.cjs", types: "dist/index.d.cts" });
  });

  it("sends through fetch: its sessions mount a FetchAdapter", async () => {
    const lib = (await import(new URL("../../dist/fetch.js", import.meta.url).href)) as typeof Main;
    expect(lib.runtime()).toBe("fetch");
    const srv = await httpServer((req, res) => void res.end(String(req.headers["sec-fetch-mode"] ?? "socket")));
    const s = new lib.Session();
    try {
      expect(s.get_adapter(srv.url)).toBeInstanceOf(lib.FetchAdapter);
      expect((await s.get(`${srv.url}/`)).text).toBe("cors");
    } finally {
      s.close();
      await runCleanups();
    }
  });
});
