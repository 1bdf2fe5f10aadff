// reqwire/core as the built package gives it (dist/core.js, dist/core.cjs, dist/core-workerd.js):
// the engine's parser and writer, usable alone (the engine loads from inline bytes), sharing the
// engine's error classes with the main export; the main export no longer carries them.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type * as Core from "../../src/core/index.js";
import type * as Main from "../../src/main.js";
import { resolveImport, resolveRequire } from "../support/exports.js";

const dist = (file: string) => fileURLToPath(new URL(`../../dist/${file}`, import.meta.url));
const load = createRequire(import.meta.url);

const faces: Array<[string, typeof Main, typeof Core]> = [
  ["ESM", (await import(dist("node.js"))) as typeof Main, (await import(dist("core.js"))) as typeof Core],
  ["CommonJS", load(dist("node.cjs")) as typeof Main, load(dist("core.cjs")) as typeof Core],
];

const RESPONSE = new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok");

describe("reqwire/core in the built package", () => {
  it("package.json exports it with types, a workerd build, import and require", () => {
    expect(resolveImport("reqwire/core")).toEqual({ js: "dist/core.js", types: "dist/core.d.ts" });
    expect(resolveRequire("reqwire/core")).toEqual({ js: "dist/core.cjs", types: "dist/core.d.cts" });
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      exports: Record<string, { workerd?: unknown }>;
    };
    expect(pkg.exports["./core"]?.workerd).toEqual({ types: "./dist/core.d.ts", default: "./dist/core-workerd.js" });
    expect(readFileSync(dist("core.d.ts"), "utf8")).toContain("declare class ResponseParser");
    // the workerd build imports the engine as a module instead of compiling bytes
    expect(readFileSync(dist("core-workerd.js"), "utf8")).toMatch(/from ["']\.\/core\.wasm["']|chunk-/);
  });

  for (const [face, main, core] of faces) {
    it(`${face}: parses and writes on its own; its errors are the main export's classes`, () => {
      const parser = new core.ResponseParser();
      parser.expect({ head: false });
      parser.feed(RESPONSE);
      const seen: string[] = [];
      for (let ev = parser.next(); ev !== core.ParserEvent.NeedMore; ev = parser.next()) {
        if (ev === core.ParserEvent.Head) seen.push(`${parser.statusCode} ${parser.headers.get("content-type")}`);
        else if (ev === core.ParserEvent.Body) seen.push(new TextDecoder().decode(parser.body));
        else if (ev === core.ParserEvent.Done) seen.push("done");
      }
      expect(seen).toEqual(["200 text/plain", "ok", "done"]);
      const head = new TextDecoder().decode(core.sharedWriter().head("GET", "/", [["Host", "a"]]));
      expect(head).toBe("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      expect(() => core.sharedWriter().head("GET", "/", [["X", "a\r\nb"]])).toThrow(main.SerializeError);
      expect(core.SerializeError).toBe(main.SerializeError);
      for (const name of ["ResponseParser", "RequestWriter", "sharedWriter", "FieldSection", "setEngineSource"]) {
        expect(name in main, name).toBe(false);
        expect(name in (main as unknown as { default: object }).default, name).toBe(false);
      }
    });
  }
});
