// reqwire/testing as the built package gives it (dist/testing.js, dist/testing.cjs): it works with
// the Session of the main export of the same format, and shares its modules rather than carrying a
// copy of them — NoMockAddress is the main export's ConnectionError, a mock's `exc` comes back as
// that very object, and real_http finds the runtime the main export set up. Run against dist/
// (`npm test` builds first), as users get it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type * as Main from "../../src/main.js";
import type * as Testing from "../../src/testing/index.js";
import { httpServer, runCleanups } from "../api/helpers.js";
import { resolveImport, resolveRequire } from "../support/exports.js";

afterEach(runCleanups);

const dist = (file: string) => fileURLToPath(new URL(`../../dist/${file}`, import.meta.url));
const load = createRequire(import.meta.url);

const faces: Array<[string, typeof Main, typeof Testing]> = [
  ["ESM", (await import(dist("node.js"))) as typeof Main, (await import(dist("testing.js"))) as typeof Testing],
  ["CommonJS", load(dist("node.cjs")) as typeof Main, load(dist("testing.cjs")) as typeof Testing],
];

describe("reqwire/testing in the built package", () => {
  it("package.json exports it with types, import and require", () => {
    expect(resolveImport("reqwire/testing")).toEqual({ js: "dist/testing.js", types: "dist/testing.d.ts" });
    expect(resolveRequire("reqwire/testing")).toEqual({ js: "dist/testing.cjs", types: "dist/testing.d.cts" });
    expect(readFileSync(dist("testing.d.ts"), "utf8")).toContain("declare class Mocker");
  });

  for (const [face, lib, testing] of faces) {
    it(`${face}: mocks answer a Session of the main export; errors are the main export's classes`, async () => {
      const m = new testing.Mocker();
      const s = new lib.Session({ transport: m.transport });
      try {
        m.get("http://api.test/user", { json: { id: 7 } });
        const timeout = new lib.ConnectTimeout("mocked");
        m.get("http://api.test/down", { exc: timeout });
        expect((await s.get("http://api.test/user")).json()).toEqual({ id: 7 });
        await expect(s.get("http://api.test/down")).rejects.toBe(timeout);
        const err = await s.get("http://api.test/none").catch((e: unknown) => e);
        expect(err).toBeInstanceOf(testing.NoMockAddress);
        expect(err).toBeInstanceOf(lib.ConnectionError);
        expect(err).toBeInstanceOf(lib.RequestException);
        expect((err as Error).name).toBe("NoMockAddress");
      } finally {
        s.close();
      }
    });

    it(`${face}: real_http goes through the runtime the main export set up`, async () => {
      const srv = await httpServer((_req, res) => void res.end("real"));
      const m = new testing.Mocker({ real_http: true });
      const s = new lib.Session({ transport: m.transport });
      try {
        expect((await s.get(`${srv.url}/`)).text).toBe("real");
      } finally {
        s.close();
      }
    });
  }
});
