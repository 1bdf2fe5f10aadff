// The runtime suite inside workerd (workerd from npm), with reqwire as a Cloudflare Worker user
// gets it: run-workerd.ts bundled by esbuild the way wrangler bundles a Worker (the package's
// "workerd" export, `cloudflare:sockets` and the `.wasm` import left to workerd), served by
// `workerd serve` with a config whose global outbound network may reach 127.0.0.1 and trusts the
// suite's CA. Each transport's run is one POST of the SuiteConfig to the worker.
import { type ChildProcess, spawn } from "node:child_process";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildReport } from "./child.js";
import { describeRun } from "./each-case.js";
import { type SuiteServers, startSuiteServers } from "./servers.js";
import type { SuiteConfig } from "./suite.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WORKERD = join(ROOT, "node_modules/.bin/workerd");
const WORKER = fileURLToPath(new URL("./run-workerd.ts", import.meta.url));
const CORE_WASM = join(ROOT, "dist/core.wasm");
/** A date this workerd accepts: not after its release (2026-11-24 here), nor after today. */
const COMPATIBILITY_DATE = "2026-11-01";

/** Bundles the worker as wrangler would: ESM, the workerd condition, runtime imports external. */
async function bundleWorker(dir: string): Promise<void> {
  await build({
    entryPoints: [WORKER],
    outfile: join(dir, "worker.js"),
    absWorkingDir: ROOT,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    // dist/workerd.js imports "./core.wasm": kept as written, it names the module "core.wasm"
    // beside "worker.js" in the config below
    external: ["cloudflare:sockets", "*.wasm"],
    logLevel: "silent",
  });
  await copyFile(CORE_WASM, join(dir, "core.wasm"));
}

function workerdConfig(port: number): string {
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # fetch() and connect() both go out through this: 127.0.0.1 allowed, the suite's CA trusted
    (name = "internet", network = (
      allow = ["local"],
      tlsOptions = (trustedCertificates = [embed "ca.pem"]),
    )),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "core.wasm", wasm = embed "core.wasm"),
  ],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  globalOutbound = "internet",
);
`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, "127.0.0.1");
    c.once("connect", () => {
      c.destroy();
      resolve(true);
    });
    c.once("error", () => resolve(false));
  });
}

let servers: SuiteServers | undefined;
let dir: string | undefined;
let workerd: ChildProcess | undefined;
let output = "";
let origin = "";

/** Waits until workerd listens; fails with its output if it exits or takes too long. */
async function waitForWorkerd(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`workerd exited (${child.exitCode ?? child.signalCode}):\n${output}`.slice(0, 4000));
    }
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`workerd did not listen on ${port} within ${timeoutMs} ms:\n${output}`.slice(0, 4000));
}

beforeAll(async () => {
  servers = await startSuiteServers();
  dir = await mkdtemp(join(tmpdir(), "reqwire-workerd-"));
  await bundleWorker(dir);
  await writeFile(join(dir, "ca.pem"), servers.config.ca);
  const port = await freePort();
  await writeFile(join(dir, "config.capnp"), workerdConfig(port));
  const child = spawn(WORKERD, ["serve", join(dir, "config.capnp")], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  workerd = child;
  const collect = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  await Promise.race([waitForWorkerd(child, port, 10_000), new Promise((_, reject) => child.once("error", reject))]);
  origin = `http://127.0.0.1:${port}`;
}, 15_000);

afterAll(async () => {
  const child = workerd;
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
  }
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  await servers?.close();
});

/** Runs the suite once in the worker. */
async function runInWorkerd(cfg: SuiteConfig, timeoutMs: number): Promise<ChildReport> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(origin, {
      method: "POST",
      body: JSON.stringify(cfg),
      headers: { "content-type": "application/json" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    throw new Error(`no answer from the worker: ${(err as Error)?.message}\n${output}`.slice(0, 4000));
  }
  if (res.status !== 200) throw new Error(`the worker answered ${res.status}: ${text}\n${output}`.slice(0, 4000));
  return JSON.parse(text) as ChildReport;
}

for (const transport of ["sockets", "fetch"] as const) {
  // workerd's fetch shows a "manual" redirect as it is: reqwire follows redirects there itself
  const kind = { transport };
  // trust comes from the config's tlsOptions: the worker cannot pass a CA
  const run = () => runInWorkerd({ ...(servers as SuiteServers).config, ...kind, tls: "runtime" }, 15_000);
  describeRun(`workerd, ${transport}`, kind, "workerd", run, 20_000);
}

describe("workerd, a pool that outlives the Worker request", () => {
  it("sends each POST exactly once, though workerd refuses sockets from an earlier request", async () => {
    const servers_ = servers as SuiteServers;
    const before = servers_.counted();
    const target = `${servers_.config.http}/counted`;
    for (let request = 0; request < 3; request++) {
      const res = await fetch(`${origin}/posts?url=${encodeURIComponent(target)}`, {
        method: "POST",
        signal: AbortSignal.timeout(10_000),
      });
      expect(await res.json()).toEqual([200, 200]);
    }
    expect(servers_.counted() - before).toBe(6);
  }, 40_000);
});
