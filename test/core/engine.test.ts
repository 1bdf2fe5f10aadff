// The engine module itself: what it imports, what it exports, how it is built.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as generated from "../../src/core/generated/constants.js";
import { WASM_HEX } from "../../src/core/generated/wasm-inline.js";
import { ERROR_MESSAGES, ERROR_NAMES, ResponseParser } from "../../src/core/index.js";
import { inlineEngine } from "../../src/core/load-inline.js";

const wasmFile = new URL("../../src/core/generated/core.wasm", import.meta.url);

describe("engine module", () => {
  const bytes = readFileSync(wasmFile);
  const mod = new WebAssembly.Module(bytes);

  it("has zero imports", () => {
    expect(WebAssembly.Module.imports(mod)).toEqual([]);
  });

  it("exports memory and snake_case functions only", () => {
    const exports = WebAssembly.Module.exports(mod);
    expect(exports).toContainEqual({ name: "memory", kind: "memory" });
    for (const e of exports) {
      expect(e.name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
      if (e.name !== "memory") expect(e.kind).toBe("function");
    }
  });

  it("inline bytes and the .wasm file are the same module", () => {
    expect(Buffer.from(WASM_HEX, "hex").equals(bytes)).toBe(true);
  });

  it("the inline loader compiles the module with the engine's exports", () => {
    const names = (m: WebAssembly.Module) => WebAssembly.Module.exports(m).map((e) => e.name);
    const expected = names(new WebAssembly.Module(bytes));
    expect(expected.length).toBeGreaterThan(0);
    expect(names(inlineEngine())).toEqual(expected);
  });

  it("names and describes every error code, with no two codes alike", () => {
    const codes = Object.entries(generated)
      .filter(([k]) => k.startsWith("ERR_"))
      .map(([, v]) => v as number);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      expect(ERROR_NAMES[code]).toMatch(/^[A-Z_]+$/);
      expect(ERROR_MESSAGES[code]?.length).toBeGreaterThan(5);
    }
  });

  it("gives each parser its own instance and state", () => {
    const a = new ResponseParser();
    const b = new ResponseParser();
    a.expect();
    b.expect();
    a.feed(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"));
    b.feed(new TextEncoder().encode("HTTP/1.1 404 Not Found\r\n"));
    expect(a.next()).toBe(1);
    expect(b.next()).toBe(0);
    expect(a.statusCode).toBe(200);
    b.feed(new TextEncoder().encode("Content-Length: 0\r\n\r\n"));
    expect(b.next()).toBe(1);
    expect(b.statusCode).toBe(404);
    expect(a.statusCode).toBe(200);
  });

  it("rejects limits out of range", () => {
    expect(() => new ResponseParser({ maxHeadBytes: 0 })).toThrow(RangeError);
    expect(() => new ResponseParser({ maxHeaderCount: 100_000 })).toThrow(RangeError);
    expect(() => new ResponseParser({ maxTrailerBytes: 1.5 })).toThrow(RangeError);
  });
});
