// The published types (dist/index.d.ts, testing.d.ts, core.d.ts and the type chunks they share)
// are the public API: members marked @internal in src/ are left out, so users' autocomplete shows
// none of them. The three entries share their classes, so that a MockAdapter is an Adapter (the
// README's reqwire/testing example mounts one, and test/docs type-checks it against dist/).
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const types = (file: string) => readFileSync(new URL(`../../dist/${file}`, import.meta.url), "utf8");

describe("published types", () => {
  const files = readdirSync(new URL("../../dist/", import.meta.url)).filter((f) => f.endsWith(".d.ts"));

  it.each(files)("%s carries no @internal member", (file) => {
    const text = types(file);
    expect(text).not.toContain("@internal");
    for (const member of ["_setContent", "_fieldValues", "_extract", "_pairs", "_fromReceived", "_each"]) {
      expect(text, member).not.toMatch(new RegExp(`\\b${member}\\(`));
    }
  });

  it("still carries the public API", () => {
    const text = files.map(types).join("\n");
    for (const name of ["declare class Session", "declare class Response", "get_adapter(", "iter_content("]) {
      expect(text, name).toContain(name);
    }
  });
});
