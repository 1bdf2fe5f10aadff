// The runtime suite in Deno (deno from npm), importing reqwire through the package's "deno"
// export, with network access limited to 127.0.0.1.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChild } from "./child.js";
import { type SuiteServers, startSuiteServers } from "./servers.js";
import { type CaseResult, caseNames, type SuiteConfig } from "./suite.js";

const DENO = fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url));
const RUNNER = fileURLToPath(new URL("./run-deno.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

let servers: SuiteServers;
beforeAll(async () => {
  servers = await startSuiteServers();
});
afterAll(() => servers?.close());

for (const transport of ["sockets", "fetch"] as const) {
  describe(`Deno, ${transport}`, () => {
    let runtime = "";
    let results: Map<string, CaseResult>;
    beforeAll(async () => {
      const cfg: SuiteConfig = { ...servers.config, transport };
      const report = await runChild(
        DENO,
        ["run", "--unstable-sloppy-imports", "--allow-net=127.0.0.1", RUNNER, JSON.stringify(cfg)],
        60_000,
      );
      runtime = report.runtime;
      results = new Map(report.results.map((r) => [r.name, r]));
    }, 70_000);
    it("imports the package's deno entry", () => {
      expect(runtime).toBe("deno");
    });
    for (const name of caseNames(transport)) {
      it(name, () => {
        const r = results.get(name);
        expect(r?.error).toBeUndefined();
        expect(r?.ok).toBe(true);
      });
    }
  });
}

describe("JSR", () => {
  it("jsr.json publishes the Deno build with its types (deno publish --dry-run)", async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        DENO,
        ["publish", "--dry-run", "--allow-dirty", "--config", "jsr.json"],
        { cwd: ROOT, timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } },
        (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout + stderr),
      );
    });
    expect(out).toContain("dist/deno.js");
    expect(out).toContain("dist/index.d.ts");
    expect(out).toContain("Dry run complete");
  }, 70_000);
});
