// src/errors.ts is a leaf and holds every public error (issue #16): read from the sources' import
// graph, and from what the package entry exports.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as errors from "../src/errors.js";
import * as entry from "../src/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");

/** Path relative to the repository, with "/" (what the assertions name). */
const rel = (file: string) => relative(root, file).split("\\").join("/");

/**
 * The src modules `file` imports: static imports, `import type`, re-exports and `import()`,
 * resolved from the specifier's `.js` to the `.ts` that is compiled to it. Packages (and the
 * engine's `.wasm`) are left out.
 */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  const out: string[] = [];
  for (const { fileName } of info.importedFiles) {
    if (!fileName.startsWith(".")) continue;
    if (/\.\w+$/.test(fileName) && !fileName.endsWith(".js")) continue; // the engine's .wasm: no imports
    const base = resolve(dirname(file), fileName).replace(/\.js$/, "");
    const found = [`${base}.ts`, `${base}.d.ts`, join(base, "index.ts")].find((f) => existsSync(f));
    if (found === undefined) throw new Error(`${rel(file)}: cannot resolve ${fileName}`);
    out.push(found);
  }
  return out;
}

/** Every src module reachable from `file` through imports of any kind (`file` included). */
function reachable(file: string): Set<string> {
  const seen = new Set<string>([file]);
  const todo = [file];
  for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
    for (const next of importsOf(f)) {
      if (seen.has(next)) continue;
      seen.add(next);
      todo.push(next);
    }
  }
  return seen;
}

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sources(path);
    return d.name.endsWith(".ts") ? [path] : [];
  });
}

const ERRORS = join(src, "errors.ts");

describe("src/errors.ts is a leaf", () => {
  it("the walk follows imports of every kind (so an import from src/api would be seen)", () => {
    const direct = (file: string) => importsOf(join(src, file)).map(rel);
    expect(direct("api/response.ts")).toContain("src/errors.ts"); // import { … }
    expect(direct("api/call/attempts.ts")).toContain("src/api/options.ts"); // import type { … }
    expect(direct("runtime/zlib.ts")).toContain("src/runtime/zlib-inflate.ts"); // import("…")
    expect(direct("core/api.ts")).toContain("src/errors.ts"); // export { … } from
    expect([...reachable(join(src, "api/response.ts"))].map(rel)).toContain("src/core/generated/error-names.ts");
  });

  it("imports nothing but modules that import nothing (the engine's generated error names)", () => {
    const reached = [...reachable(ERRORS)].filter((f) => f !== ERRORS).map(rel);
    expect(reached).toEqual(["src/core/generated/error-names.ts"]);
    for (const f of reached) expect(importsOf(join(root, f)), f).toEqual([]);
  });

  it("is in no import cycle: of the modules that import it, none is reachable from it", () => {
    const fromErrors = reachable(ERRORS);
    const importers = sources(src).filter((f) => f !== ERRORS && importsOf(f).includes(ERRORS));
    expect(importers.length).toBeGreaterThan(20);
    for (const f of importers) expect(fromErrors.has(f), rel(f)).toBe(false);
  });
});

/** The classes of a module's exports that are errors (Error and its subclasses), by name. */
function errorClasses(module: object): Map<string, unknown> {
  return new Map(
    Object.entries(module).filter(
      ([, v]) => typeof v === "function" && (v === Error || (v as { prototype?: unknown }).prototype instanceof Error),
    ),
  );
}

describe("every public error lives in src/errors.ts", () => {
  it("every error class the package exports is errors.ts's own", () => {
    const exported = errorClasses(entry);
    expect(exported.size).toBeGreaterThan(25);
    const own = errorClasses(errors);
    for (const [name, cls] of exported) expect(own.get(name), name).toBe(cls);
    // and the default object (`requests.X`) carries the same classes
    const requests = entry.default as unknown as Record<string, unknown>;
    for (const [name, cls] of exported) expect(requests[name], name).toBe(cls);
  });

  it("CookieConflictError is a RequestException with a stable code, in requests.exceptions", () => {
    const e = new errors.CookieConflictError('There are multiple cookies with name, "s"');
    expect(e).toBeInstanceOf(errors.RequestException);
    expect(e.code).toBe("COOKIE_CONFLICT");
    expect(e.name).toBe("CookieConflictError");
    expect(errors.exceptions.CookieConflictError).toBe(errors.CookieConflictError);
    expect(entry.CookieConflictError).toBe(errors.CookieConflictError);
  });

  it("the engine's errors (what the core API throws) are exported from errors.ts", () => {
    expect(entry.ParseError).toBe(errors.ParseError);
    expect(entry.SerializeError).toBe(errors.SerializeError);
    const e = new errors.ParseError(1, 7);
    expect(e).toBeInstanceOf(errors.CoreError);
    expect([e.name, e.errno, e.offset]).toEqual(["ParseError", 1, 7]);
    expect(e.code).toMatch(/^[A-Z_]+$/);
    expect(e.message).toMatch(/\(at byte 7\)$/);
  });

  it("no class outside errors.ts extends an error, but the internal ones listed here", () => {
    // Caught inside reqwire and raised again as a RequestException (with them as `cause`):
    // a transport's ConnectError / NotSentError (src/http maps them), a transport's VerbatimError
    // (src/http unwraps it: the request fails with the error it carries), the command's own, and
    // the mock's WireError (reqwire wrote bytes that are not a request: a bug of reqwire's).
    const internal = [
      "src/cli/format.ts: NotJson",
      "src/cli/usage.ts: UsageError",
      "src/testing/wire.ts: WireError",
      "src/transport/types.ts: ConnectError",
      "src/transport/types.ts: NotSentError",
      "src/transport/types.ts: VerbatimError",
    ];
    const names = [...errorClasses(errors).keys(), "Error", "TypeError", "RangeError", "SyntaxError"];
    const re = new RegExp(`class\\s+(\\w+)\\s+extends\\s+(?:${names.join("|")})\\b`, "g");
    const found: string[] = [];
    for (const f of sources(src)) {
      if (f === ERRORS) continue;
      for (const m of readFileSync(f, "utf8").matchAll(re)) found.push(`${rel(f)}: ${m[1]}`);
    }
    expect(found.sort()).toEqual(internal);
  });

  it("error objects carry no bookkeeping: their own keys are code, name, request and response", () => {
    // (NoMockAddress also names the request no mock matched, as requests-mock's does)
    const extra: Record<string, string[]> = { NoMockAddress: ["method", "url"] };
    for (const [name, cls] of Object.entries(errors.exceptions)) {
      const e = new (cls as typeof errors.RequestException)("m", { cause: "c" });
      const keys = ["code", "name", "request", "response", ...(extra[name] ?? [])].sort();
      expect(Object.keys(e).sort(), name).toEqual(keys);
      expect(Object.getOwnPropertySymbols(e), name).toEqual([]);
    }
  });
});
