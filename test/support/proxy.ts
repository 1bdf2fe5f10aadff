// A real forward proxy for tests: tinyproxy (Debian package "tinyproxy", 1.11.x) started on
// 127.0.0.1 with its own configuration in a temporary directory.
//
//   const proxy = await startTinyproxy({ basicAuth: ["user", "pass"] });
//   ... send requests to proxy.url (absolute-form, or CONNECT host:port) ...
//   proxy.log()        // tinyproxy's log so far (LogLevel Info: one "Request ...: GET http://..." line per request)
//   await proxy.stop() // kills it and removes the directory
//
// What tinyproxy 1.11.1 does, as the tests rely on it:
// - absolute-form requests are forwarded in origin-form, with "Via: 1.1 <hostname> (tinyproxy/1.11.1)"
//   added (no X-Tinyproxy header: that needs "XTinyproxy Yes"), hop-by-hop headers and those
//   named in Connection removed, and "Connection: close" towards the origin;
// - CONNECT answers "HTTP/1.0 200 Connection established" and then relays bytes. With no
//   ConnectPort line every port may be tunnelled (the 443/563 restriction is only in Debian's
//   sample /etc/tinyproxy/tinyproxy.conf); with ConnectPort lines, another port gets
//   "403 Access violation";
// - with BasicAuth, a request without Proxy-Authorization gets "407 Proxy Authentication
//   Required" with 'Proxy-Authenticate: Basic realm="Tinyproxy"', but wrong credentials get
//   "401 Unauthorized" with WWW-Authenticate; the Proxy-Authorization header is consumed. Without
//   BasicAuth, a Proxy-Authorization header is forwarded to the origin as it is;
// - BasicAuth user and password may only use [-A-Za-z0-9._] (the config grammar allows no more).
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { waitExit } from "./files.js";

export interface TinyproxyOptions {
  /** Require these Basic credentials (BasicAuth); only [-A-Za-z0-9._] is accepted by tinyproxy. */
  basicAuth?: [string, string];
  /** Allow CONNECT only to these ports (ConnectPort lines); omitted or empty: any port. */
  allowConnectPorts?: number[];
}

export interface Tinyproxy {
  /** "http://127.0.0.1:<port>", without credentials. */
  url: string;
  port: number;
  /** The log file's content so far. */
  log(): string;
  /** Stops tinyproxy and removes its directory. */
  stop(): Promise<void>;
}

const INSTALL_HINT = "tinyproxy is not installed: run `apt-get install tinyproxy` (CI's .ci/run installs it)";

/** The tinyproxy binary (PATH, /usr/bin, /usr/sbin, /usr/local/...), or undefined when not installed. */
export function tinyproxyPath(): string | undefined {
  const dirs = [
    ...(process.env.PATH ?? "").split(delimiter).filter((d) => d !== ""),
    "/usr/bin",
    "/usr/sbin",
    "/usr/local/bin",
    "/usr/local/sbin",
  ];
  for (const dir of dirs) {
    const candidate = join(dir, "tinyproxy");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A port free on 127.0.0.1 right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const CREDENTIAL = /^[-A-Za-z0-9._]+$/;

function config(dir: string, port: number, options: TinyproxyOptions): string {
  const lines = [
    "Listen 127.0.0.1",
    `Port ${port}`,
    "Timeout 60",
    "MaxClients 100",
    "Allow 127.0.0.1",
    `LogFile "${join(dir, "tinyproxy.log")}"`,
    "LogLevel Info",
    `PidFile "${join(dir, "tinyproxy.pid")}"`,
  ];
  if (options.basicAuth !== undefined) {
    const [user, pass] = options.basicAuth;
    if (!CREDENTIAL.test(user) || !CREDENTIAL.test(pass)) {
      throw new Error(`tinyproxy BasicAuth accepts only [-A-Za-z0-9._] in user and password, got ${user}:${pass}`);
    }
    lines.push(`BasicAuth ${user} ${pass}`);
  }
  for (const p of options.allowConnectPorts ?? []) {
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`not a port: ${p}`);
    lines.push(`ConnectPort ${p}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Processes still running, killed if the test process exits without stop(). */
const running = new Set<ChildProcess>();
let exitHook = false;

function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once("exit", () => running.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => {
      for (const c of running) c.kill("SIGKILL");
    });
  }
}

/**
 * Starts tinyproxy in the foreground (`tinyproxy -d -c <conf>`) on 127.0.0.1 and a free port,
 * accepting clients from 127.0.0.1, with no upstream proxy. Resolves once it accepts connections
 * (at most 5 s); rejects with the install hint when tinyproxy is missing.
 */
export async function startTinyproxy(options: TinyproxyOptions = {}): Promise<Tinyproxy> {
  const binary = tinyproxyPath();
  if (binary === undefined) throw new Error(INSTALL_HINT);
  let lastError: Error | undefined;
  // a free port can be taken between the check and tinyproxy's bind: try a few
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), "reqwire-tinyproxy-"));
    try {
      return await startIn(binary, dir, options);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      lastError = e as Error;
      if ((e as { retry?: boolean }).retry !== true) throw e;
    }
  }
  throw lastError ?? new Error("tinyproxy did not start");
}

async function startIn(binary: string, dir: string, options: TinyproxyOptions): Promise<Tinyproxy> {
  const port = await freePort();
  const confPath = join(dir, "tinyproxy.conf");
  const logPath = join(dir, "tinyproxy.log");
  writeFileSync(confPath, config(dir, port, options));
  const child = spawn(binary, ["-d", "-c", confPath], { stdio: ["ignore", "pipe", "pipe"] });
  killOnExit(child);
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  let spawnError: Error | undefined;
  child.once("error", (e) => {
    spawnError = e;
  });
  const log = (): string => {
    try {
      return readFileSync(logPath, "utf8");
    } catch {
      return "";
    }
  };

  const deadline = Date.now() + 5000;
  for (;;) {
    if (spawnError !== undefined) throw new Error(`cannot run ${binary}: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      const text = `${output}${log()}`;
      const err = new Error(`tinyproxy exited (${child.exitCode ?? child.signalCode}) at start:\n${text}`);
      // port taken in the meantime: worth another try
      (err as { retry?: boolean }).retry = /address already in use|bind/i.test(text);
      throw err;
    }
    if (await canConnect(port)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      await waitExit(child, 1000);
      throw new Error(`tinyproxy did not accept connections on 127.0.0.1:${port} within 5 s:\n${output}${log()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }

  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    stop() {
      stopped ??= (async () => {
        child.kill("SIGTERM");
        if (!(await waitExit(child, 2000))) {
          child.kill("SIGKILL");
          await waitExit(child, 2000);
        }
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
