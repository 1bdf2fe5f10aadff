// The runtime suite in Deno (deno from npm), importing reqwire through the package's "deno"
// export, with network access limited to 127.0.0.1.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChild } from "./child.js";
import { describeRun } from "./each-case.js";
import { type SuiteServers, startSuiteServers } from "./servers.js";
import type { SuiteConfig } from "./suite.js";

const DENO = fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url));
const RUNNER = fileURLToPath(new URL("./run-deno.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

let servers: SuiteServers;
beforeAll(async () => {
  servers = await startSuiteServers();
});
afterAll(() => servers?.close());

for (const transport of ["sockets", "fetch"] as const) {
  describeRun(
    `Deno, ${transport}`,
    { transport },
    "deno",
    () => {
      const cfg: SuiteConfig = { ...servers.config, transport };
      const args = ["run", "--unstable-sloppy-imports", "--allow-net=127.0.0.1", RUNNER, JSON.stringify(cfg)];
      return runChild(DENO, args, 60_000);
    },
    70_000,
  );
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
