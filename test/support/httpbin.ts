// httpbin (the Python service requests itself is tested against) under gunicorn, on 127.0.0.1,
// for the parity suite (test/parity/). Everything comes from the distribution's packages, for
// Debian's own interpreter: python3-httpbin, gunicorn, python3-requests, python3-brotli. The
// `python3` first on PATH may be another Python without them (pyenv), so the interpreter is
// chosen by what it can import, /usr/bin/python3 first.
//
// Also here: `startSilentListener()`, a listening socket whose accept queue is full, so a new
// connection's SYN is dropped and a client's connect times out (nothing else on the machine
// makes a connect timeout without contacting another address).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { waitExit } from "./files.js";

/** What the parity suite needs from one interpreter. */
const MODULES = ["requests", "httpbin", "gunicorn", "brotli"];
const PACKAGES = "python3-requests python3-httpbin gunicorn python3-brotli";

let interpreter: string | undefined;

/**
 * The Python interpreter that can import requests, httpbin, gunicorn and brotli, or an Error
 * naming the Debian packages that provide them.
 */
export function findPython(): string {
  if (interpreter !== undefined) return interpreter;
  const candidates = ["/usr/bin/python3"];
  for (const dir of (process.env.PATH ?? "").split(":").filter(Boolean)) candidates.push(join(dir, "python3"));
  const tried: string[] = [];
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
    } catch {
      continue;
    }
    const probe = spawnSync(path, ["-c", `import ${MODULES.join(", ")}`], { encoding: "utf8", timeout: 20_000 });
    if (probe.status === 0) {
      interpreter = path;
      return path;
    }
    tried.push(`${path}: ${(probe.stderr ?? "").trim().split("\n").pop() ?? `exit ${probe.status}`}`);
  }
  throw new Error(
    `no Python interpreter here can import ${MODULES.join(", ")}: the parity suite needs Debian's ` +
      `packages ${PACKAGES} (apt-get install -y ${PACKAGES}), used with /usr/bin/python3. Tried:\n` +
      (tried.length > 0 ? tried.join("\n") : "(no python3 found)"),
  );
}

export interface Httpbin {
  /** http://127.0.0.1:port, without a trailing slash. */
  readonly base: string;
  /** The interpreter running it (the one with requests, for the driver). */
  readonly python: string;
  /** What gunicorn wrote so far (for failure messages). */
  log(): string;
  /** Kills gunicorn and its workers (the whole process group). Idempotent. */
  close(): Promise<void>;
}

/** Ends a child started with `detached: true` (its own process group) and everything it forked. */
async function killGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // the group is gone
    }
  };
  signal("SIGTERM");
  if (!(await waitExit(child, 3000))) {
    signal("SIGKILL");
    await waitExit(child, 3000);
  }
  // workers left behind by a master that died first
  signal("SIGKILL");
}

/**
 * Starts httpbin under gunicorn on 127.0.0.1 with a port the kernel picks (read from gunicorn's
 * "Listening at" line: no race for a port), several threaded workers so that /delay and /drip do
 * not hold up other requests, and waits until it answers. Throws, with gunicorn's output, if it
 * is not answering within `startupMs`.
 */
export async function startHttpbin(startupMs = 20_000): Promise<Httpbin> {
  const python = findPython();
  const child = spawn(
    python,
    [
      "-m",
      "gunicorn",
      "--bind",
      "127.0.0.1:0",
      "--worker-class",
      "gthread",
      "--workers",
      "2",
      "--threads",
      "16",
      "--timeout",
      "30",
      "--graceful-timeout",
      "1",
      "--keep-alive",
      "5",
      "httpbin:app",
    ],
    { stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  const collect = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= killGroup(child);
    return closed;
  };
  const deadline = Date.now() + startupMs;
  let base: string | undefined;
  let failure: string | undefined;
  child.once("error", (err) => {
    failure = String(err);
  });
  while (Date.now() < deadline && failure === undefined) {
    if (child.exitCode !== null || child.signalCode !== null) {
      failure = `gunicorn exited (${child.exitCode ?? child.signalCode})`;
      break;
    }
    const port = /Listening at: http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
    if (base === undefined && port !== undefined) base = `http://127.0.0.1:${port}`;
    if (base !== undefined && (await answers(`${base}/status/204`))) {
      return { base, python, log: () => output, close };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await close();
  throw new Error(
    `httpbin under gunicorn (${python} -m gunicorn) did not answer within ${startupMs} ms` +
      `${failure === undefined ? "" : `: ${failure}`}\n${output.trim().slice(-4000)}`,
  );
}

/** One GET with node's fetch (not the client under test), bounded to 2 s. */
async function answers(url: string): Promise<boolean> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await r.arrayBuffer();
    return r.status === 204;
  } catch {
    return false;
  }
}

export interface SilentListener {
  /** http://127.0.0.1:port of a listener that completes no new connection. */
  readonly base: string;
  close(): Promise<void>;
}

// A listening socket with the smallest accept queue, never accepting, filled by connections of
// its own: once the queue is full Linux drops further SYNs, so a client's connect waits until its
// connect timeout. The port is printed once the queue is full.
const SILENT_LISTENER = `
import socket, sys
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(0)
held = []
for _ in range(8):
    c = socket.socket()
    c.settimeout(0.3)
    try:
        c.connect(srv.getsockname())
    except OSError:
        c.close()
        break
    held.append(c)
else:
    sys.exit("the accept queue never filled")
print(srv.getsockname()[1], flush=True)
sys.stdin.read()
`;

/** Starts the silent listener (with the parity suite's Python); stopping it is closing its stdin. */
export async function startSilentListener(startupMs = 10_000): Promise<SilentListener> {
  const child = spawn(findPython(), ["-c", SILENT_LISTENER], { stdio: ["pipe", "pipe", "pipe"], detached: true });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const close = async () => {
    child.stdin?.end();
    if (!(await waitExit(child, 2000))) await killGroup(child);
  };
  const deadline = Date.now() + startupMs;
  while (Date.now() < deadline && child.exitCode === null) {
    const port = /^(\d+)\n/.exec(out)?.[1];
    if (port !== undefined) return { base: `http://127.0.0.1:${port}`, close };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await close();
  throw new Error(`the silent listener did not start: ${out.trim()}`);
}
