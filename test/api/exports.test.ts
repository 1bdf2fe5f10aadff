// The built package's three faces carry the same names: `import requests from "reqwire"` (the
// default object), `import * as requests from "reqwire"` (the namespace) and
// `require("reqwire")` (dist/node.cjs, which loads the ES module itself). Run against dist/ (`npm test`
// builds first), as users get it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type * as Main from "../../src/main.js";
import { httpServer, runCleanups } from "./helpers.js";

afterEach(runCleanups);

type Api = Omit<typeof Main, "default">;

const dist = (file: string) => fileURLToPath(new URL(`../../dist/${file}`, import.meta.url));
const version = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

const esm = (await import(dist("node.js"))) as typeof Main;
const cjs = createRequire(import.meta.url)(dist("node.cjs")) as Api & { default?: unknown };

const faces: Array<[string, Api]> = [
  ["ESM default", esm.default as Api],
  ["ESM namespace", esm],
  ["CommonJS", cjs],
];

// `__esModule` marks require()'s view of an ES module with a default export (Node's require of ES modules)
const keys = (o: object) =>
  Object.keys(o)
    .filter((k) => k !== "default" && k !== "__esModule")
    .sort();

describe("exports of the built package", () => {
  it("the ESM default, the ESM namespace and the CommonJS export have the same names and values", () => {
    const names = keys(esm);
    expect(names).toContain("delete");
    expect(names).toContain("__version__");
    expect(names).toContain("auth");
    expect(keys(esm.default)).toEqual(names);
    expect(keys(cjs)).toEqual(names);
    const byDefault = esm.default as unknown as Record<string, unknown>;
    const byName = esm as unknown as Record<string, unknown>;
    for (const name of names) expect(byDefault[name], name).toBe(byName[name]);
    // require("reqwire").default is the default object too (for `import requests` compiled to CommonJS)
    expect(keys(cjs.default as object)).toEqual(names);
  });

  it("__version__ is package.json's version", () => {
    for (const [face, api] of faces) expect(api.__version__, face).toBe(version);
  });

  it("auth holds HTTPBasicAuth and HTTPDigestAuth, frozen", () => {
    for (const [face, api] of faces) {
      expect(Object.keys(api.auth).sort(), face).toEqual(["HTTPBasicAuth", "HTTPDigestAuth"]);
      expect(Object.isFrozen(api.auth), face).toBe(true);
      expect(api.auth.HTTPBasicAuth, face).toBe(api.HTTPBasicAuth);
      expect(api.auth.HTTPDigestAuth, face).toBe(api.HTTPDigestAuth);
    }
  });

  for (const [face, api] of faces) {
    it(`every verb works through the ${face}`, async () => {
      const srv = await httpServer();
      const u = `${srv.url}/verb`;
      const answers = [
        await api.request("PATCH", u),
        await api.get(u),
        await api.options(u),
        await api.head(u),
        await api.post(u, { data: "x" }),
        await api.put(u, { data: "x" }),
        await api.patch(u, { data: "x" }),
        await api.delete(u),
        await api.del(u),
      ];
      expect(answers.map((r) => r.status_code)).toEqual(answers.map(() => 200));
      expect(srv.received.map((r) => r.method)).toEqual([
        "PATCH",
        "GET",
        "OPTIONS",
        "HEAD",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
        "DELETE",
      ]);
    });

    it(`auth.HTTPBasicAuth sends Basic credentials through the ${face}`, async () => {
      const srv = await httpServer();
      await api.get(`${srv.url}/basic`, { auth: new api.auth.HTTPBasicAuth("user", "pass") });
      expect(srv.received[0]?.headers.authorization).toBe("Basic dXNlcjpwYXNz");
    });
  }
});
