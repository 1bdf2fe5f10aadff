// Shared helpers of the connection and TLS tests: a cleanup list (every server, socket and
// Session a test opens is closed after it), bounded waits, and small response builders.
import type { Server as HttpServer } from "node:http";
import type { AddressInfo, Server as NetServer, Socket } from "node:net";
import { Session, type SessionOptions } from "../../src/index.js";
import { type RawHandler, type RawServer, rawServer } from "../support/raw-server.js";

/** Things to close after the current test, closed in reverse order. */
export class Cleanups {
  readonly #list: Array<() => unknown> = [];

  add(fn: () => unknown): void {
    this.#list.push(fn);
  }

  async run(): Promise<void> {
    for (const fn of this.#list.splice(0).reverse()) await fn();
  }

  /** A Session closed after the test. */
  session(options?: SessionOptions): Session {
    const s = new Session(options);
    this.add(() => s.close());
    return s;
  }

  /** A scripted raw server closed after the test. */
  async raw(handler: RawHandler<Socket>): Promise<RawServer> {
    const srv = await rawServer(handler);
    this.add(() => srv.close());
    return srv;
  }

  /** Starts listening on 127.0.0.1 (random port); the server and its connections are closed after the test. */
  async listen<S extends HttpServer | NetServer>(server: S): Promise<number> {
    const sockets = new Set<Socket>();
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.add(async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    });
    return (server.address() as AddressInfo).port;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 5 ms; throws after timeoutMs. */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A promise and the function that resolves it (Promise.withResolvers is Node 22+). */
export function gate(): [Promise<void>, () => void] {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return [promise, open];
}

/** The promise's value, or an error if it does not settle within ms ("did not hang"). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the promise rejected with; fails when it resolves (or hangs past 20 s). */
export async function rejectionOf(promise: Promise<unknown>, ms = 20_000): Promise<Error> {
  const outcome = await within(
    promise.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    ms,
    "the request",
  );
  if (outcome.ok) throw new Error(`expected a rejection, got ${String(outcome.value)}`);
  if (!(outcome.error instanceof Error)) throw new Error(`rejected with a non-Error: ${String(outcome.error)}`);
  return outcome.error;
}

/** Records unhandled rejections while a test runs. */
export function watchUnhandled(): { readonly reasons: unknown[]; stop(): void } {
  const reasons: unknown[] = [];
  const listener = (reason: unknown): void => {
    reasons.push(reason);
  };
  process.on("unhandledRejection", listener);
  return {
    reasons,
    stop: () => {
      process.off("unhandledRejection", listener);
    },
  };
}

/** A 200 response with a Content-Length body (latin1) and extra header lines. */
export function ok(body: string, headers: string[] = [], status = "HTTP/1.1 200 OK"): string {
  const extra = headers.map((h) => `${h}\r\n`).join("");
  return `${status}\r\nContent-Length: ${Buffer.byteLength(body, "latin1")}\r\n${extra}\r\n${body}`;
}

/** Reads requests forever on a connection; `null` ends the loop. */
export const FOREVER = { timeoutMs: Number.POSITIVE_INFINITY } as const;
