// What the bench scripts share: their sections of bench/RESULTS.md, options, test bytes, the
// checks of a measured build, and the e2e server in its own process.
import { type ChildProcess, execFileSync, type ForkOptions, fork } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Served, ServerStats } from "./e2e-server.js";

/** The project's root. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The results file every bench script writes its own section of. */
export const RESULTS_FILE = join(dirname(fileURLToPath(import.meta.url)), "RESULTS.md");

/** Replaces the text between `start` and `end` in bench/RESULTS.md (appends it when absent). */
export function writeSection(start: string, end: string, text: string): void {
  let doc: string;
  try {
    doc = readFileSync(RESULTS_FILE, "utf8");
  } catch {
    doc = "# reqwire benchmark results\n\nEach bench script owns one section, between its markers.\n";
  }
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  doc = a !== -1 && b > a ? doc.slice(0, a) + text + doc.slice(b + end.length) : `${doc.trimEnd()}\n\n${text}\n`;
  writeFileSync(RESULTS_FILE, doc);
}

/** `--name` ⇒ "", `--name=value` ⇒ "value", absent ⇒ undefined. */
export function option(name: string): string | undefined {
  for (const arg of process.argv.slice(2)) {
    if (arg === `--${name}`) return "";
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

/** A deterministic printable byte stream (LCG), for bodies. */
export function filler(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = 0x20 + ((x >>> 24) % 95);
  }
  return out;
}

/**
 * Checks that the dist entries `entries` (e.g. "node", "deno") exist; when src/ changed after
 * the build, says so on stderr and returns the note the report carries (what is measured is
 * dist/ as built), else "". `tool` names the script in messages.
 */
export function checkBuild(tool: string, entries: readonly string[]): string {
  const newest = (dir: string): number => {
    let t = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }
    return t;
  };
  const src = newest(join(ROOT, "src"));
  let stale = false;
  for (const e of entries) {
    const f = join(ROOT, "dist", `${e}.js`);
    let t = 0;
    try {
      t = statSync(f).mtimeMs;
    } catch {}
    if (t === 0) throw new Error(`${tool}: ${relative(ROOT, f)} is missing; run \`npm run build\` first`);
    if (t < src) stale = true;
  }
  if (!stale) return "";
  console.error(`${tool}: src/ changed after dist/ was built; measuring dist/ as built (\`npm run build\` to refresh)`);
  return "dist/ is older than the latest change in src/ (measured as built)";
}

/** The commit dist/ was built from, and whether src/ or assembly/ had uncommitted changes. */
export function buildRevision(): string {
  try {
    const git = (...a: string[]) => execFileSync("git", ["-C", ROOT, ...a], { encoding: "utf8" });
    const head = git("rev-parse", "--short", "HEAD").trim();
    const dirty = git("status", "--porcelain", "--", "src", "assembly") !== "";
    return `commit ${head}${dirty ? " with uncommitted changes in src/ or assembly/" : ""}, built into dist/`;
  } catch {
    return "commit unknown (no git), built into dist/";
  }
}

// ---- the e2e server --------------------------------------------------------------------------------

/** How to fork bench/e2e-server.ts; anything left out is fork()'s default. */
export type E2eServerOptions = Pick<ForkOptions, "env" | "cwd" | "execPath" | "serialization">;

/** bench/e2e-server.ts running in its own Node process (tsx), listening. */
export interface E2eServer {
  readonly proc: ChildProcess;
  /** Its port, and what it answers (lengths and hashes). */
  readonly served: Served;
  /** Its counters (requests, connections, CPU), asked over IPC. */
  stats(): Promise<ServerStats>;
  /** Starts a new count of used connections (and peak open ones); resolves once it has. */
  reset(): Promise<void>;
  /** Ends it (SIGTERM) if it is still running. */
  close(): void;
}

type ServerMessage = { type: "listening"; served: Served } | { type: "stats"; stats: ServerStats } | { type: "reset" };

/**
 * Forks bench/e2e-server.ts (`--import tsx`, stdio inherited) and waits until it listens. It asks
 * one thing at a time over IPC; a query fails if the server exits before answering.
 */
export async function startE2eServer(options: E2eServerOptions = {}): Promise<E2eServer> {
  // execArgv is explicit: the server never inherits this process's flags (--cpu-prof among them)
  const proc = fork(join(dirname(fileURLToPath(import.meta.url)), "e2e-server.ts"), [], {
    ...options,
    execArgv: ["--import", "tsx"],
    stdio: "inherit",
  });
  let listening: ((served: Served) => void) | undefined;
  let waiting: { type: string; resolve: (m: ServerMessage) => void; reject: (e: Error) => void } | undefined;
  let exited: Error | undefined;
  proc.on("message", (m: ServerMessage) => {
    if (m.type === "listening") listening?.(m.served);
    else if (waiting !== undefined && m.type === waiting.type) {
      const w = waiting;
      waiting = undefined;
      w.resolve(m);
    }
  });
  proc.on("exit", (code, signal) => {
    exited = new Error(`e2e-server exited (code ${code}, signal ${signal})`);
    const w = waiting;
    waiting = undefined;
    w?.reject(exited);
  });
  const served = await new Promise<Served>((resolve, reject) => {
    const early = () => reject(new Error("e2e-server exited before listening"));
    const failed = (err: Error) => reject(err);
    proc.once("exit", early);
    proc.once("error", failed);
    listening = (s) => {
      listening = undefined;
      proc.off("exit", early);
      proc.off("error", failed);
      resolve(s);
    };
  });
  const ask = <T extends "stats" | "reset">(type: T): Promise<Extract<ServerMessage, { type: T }>> => {
    if (exited !== undefined) return Promise.reject(exited);
    if (waiting !== undefined) return Promise.reject(new Error(`e2e-server: ${waiting.type} is still pending`));
    return new Promise<ServerMessage>((resolve, reject) => {
      waiting = { type, resolve, reject };
      proc.send({ type });
    }) as Promise<Extract<ServerMessage, { type: T }>>;
  };
  return {
    proc,
    served,
    stats: async () => (await ask("stats")).stats,
    reset: async () => void (await ask("reset")),
    close: () => {
      if (proc.exitCode === null) proc.kill();
    },
  };
}
