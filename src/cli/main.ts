// `reqwire`, the command line (httpie-style) over the public API: parses argv, sends one request
// with a Session, prints what --print asks for, and sets the exit status (see HELP in args.ts).
// The build (tsup.config.ts) adds the `#!/usr/bin/env node` line and writes dist/cli.js.
import { createWriteStream, openSync, statSync, type WriteStream } from "node:fs";
import { open } from "node:fs/promises";
import requests, {
  InvalidHeader,
  InvalidJSONError,
  InvalidSchema,
  InvalidURL,
  JSONDecodeError,
  MissingSchema,
  type PreparedRequest,
  type Progress,
  type RequestOptions,
  type Response,
  Session,
  TooManyRedirects,
  URLRequired,
} from "../entry/node.js";
import { type CliOptions, HELP, parseArgs, USAGE } from "./args.js";
import { contentDispositionFilename, createUnique, urlFilename } from "./download.js";
import { BINARY_NOTE, bodyForDisplay, requestHead, responseHead, type Style } from "./format.js";
import { buildRequest, isBodyItem } from "./items.js";
import { DownloadProgress } from "./progress.js";
import { UsageError } from "./usage.js";

/** Exit statuses (documented in HELP). */
export const EXIT = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  TOO_MANY_REDIRECTS: 3,
  CLIENT_ERROR: 4,
  SERVER_ERROR: 5,
  INTERRUPTED: 130,
} as const;

// ---- output -------------------------------------------------------------------------------------

/** Where the printed parts go: stdout, stderr (with --download) or a file (-o). */
interface Out {
  readonly isTTY: boolean;
  write(data: string | Uint8Array): Promise<void>;
  end(): Promise<void>;
}

function streamOut(stream: NodeJS.WriteStream | WriteStream, isTTY: boolean, owned: boolean): Out {
  return {
    isTTY,
    write(data) {
      if (stream.write(data)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const done = (err?: Error) => {
          stream.off("drain", done);
          stream.off("error", done);
          if (err === undefined) resolve();
          else reject(err);
        };
        stream.once("drain", done);
        stream.once("error", done);
      });
    },
    end() {
      if (!owned) return Promise.resolve();
      return new Promise((resolve, reject) => {
        stream.once("error", reject);
        stream.end(() => resolve());
      });
    },
  };
}

/** Prints the parts of an exchange, a blank line between consecutive parts. */
class Printer {
  readonly #out: Out;
  readonly #style: Style;
  #printed = false;
  #atLineStart = true;

  constructor(out: Out, style: Style) {
    this.#out = out;
    this.#style = style;
  }

  async #part(data: string | Uint8Array): Promise<void> {
    // one blank line between parts (two newlines when a raw body did not end its line)
    if (this.#printed) await this.#out.write(this.#atLineStart ? "\n" : "\n\n");
    this.#printed = true;
    await this.#write(data);
  }

  async #write(data: string | Uint8Array): Promise<void> {
    if (data.length === 0) return;
    await this.#out.write(data);
    const last = typeof data === "string" ? data.charCodeAt(data.length - 1) : data[data.length - 1];
    this.#atLineStart = last === 10;
  }

  /** Text of a body for a terminal or formatted output; raw bytes otherwise. */
  async #body(bytes: Uint8Array, text: () => string, contentType: string | undefined): Promise<void> {
    if (bytes.length === 0) return;
    if (!this.#out.isTTY && !this.#style.format && !this.#style.colors) {
      await this.#part(bytes);
      return;
    }
    const shown = bodyForDisplay(bytes, text, contentType, this.#style);
    if (shown === undefined) {
      await this.#part(this.#out.isTTY ? BINARY_NOTE : bytes);
      return;
    }
    await this.#part(shown.endsWith("\n") ? shown : `${shown}\n`);
  }

  /** Whether anything was printed. */
  get printed(): boolean {
    return this.#printed;
  }

  async request(request: PreparedRequest, print: string): Promise<void> {
    if (print.includes("H")) await this.#part(requestHead(request, this.#style));
    const body = request.body;
    if (print.includes("B") && body !== null) {
      if (body instanceof Uint8Array) {
        await this.#body(body, () => new TextDecoder().decode(body), request.headers.get("content-type"));
      } else {
        await this.#part("<streamed body>\n");
      }
    }
  }

  async responseHead(r: Response): Promise<void> {
    await this.#part(responseHead(r, this.#style));
  }

  /** The response body: formatted from the whole body, or streamed as it arrives when raw. */
  async responseBody(r: Response): Promise<void> {
    if (!this.#out.isTTY && !this.#style.format && !this.#style.colors) {
      let first = true;
      for await (const chunk of r.iter_content()) {
        if (chunk.length === 0) continue;
        if (first) await this.#part(chunk);
        else await this.#write(chunk);
        first = false;
      }
      return;
    }
    await r.read();
    await this.#body(r.content, () => r.text, r.headers.get("content-type"));
  }
}

// ---- errors -------------------------------------------------------------------------------------

const INPUT_ERRORS = [InvalidURL, MissingSchema, InvalidSchema, URLRequired, InvalidHeader];

function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.USAGE;
  if (err instanceof TooManyRedirects) return EXIT.TOO_MANY_REDIRECTS;
  if (INPUT_ERRORS.some((c) => err instanceof c)) return EXIT.USAGE;
  if (err instanceof InvalidJSONError && !(err instanceof JSONDecodeError)) return EXIT.USAGE;
  return EXIT.ERROR;
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

/** The error line: "reqwire: error: ErrorClass: message". */
function errorLine(err: unknown, hint = ""): string {
  if (err instanceof UsageError) return `${USAGE}\nreqwire: error: ${oneLine(err.message)} (see reqwire --help)\n`;
  const name = err instanceof Error ? err.name : "Error";
  const message = err instanceof Error ? err.message : String(err);
  const untrusted = name === "SSLError" && /certificate|self[- ]signed|unable to verify|issuer|CERT_/i.test(message);
  const tls = untrusted ? " (trust a CA with --verify=CA.pem, or skip checks with --no-verify)" : "";
  return `reqwire: error: ${name}: ${oneLine(message)}${tls}${hint}\n`;
}

// ---- the request --------------------------------------------------------------------------------

function statusExit(code: number): number {
  if (code >= 500) return EXIT.SERVER_ERROR;
  if (code >= 400) return EXIT.CLIENT_ERROR;
  return EXIT.OK;
}

function checkVerify(verify: boolean | string): void {
  if (typeof verify !== "string") return;
  try {
    if (!statSync(verify).isFile()) throw new Error("not a file");
  } catch {
    throw new UsageError(`--verify: cannot read the CA file ${JSON.stringify(verify)}`);
  }
}

/** What the interrupt handler and the error report need to know of a run under way. */
interface Run {
  session: Session | undefined;
  progress: DownloadProgress | undefined;
  /** Said after the error line (a partial download's file). */
  hint: string;
}

async function run(o: CliOptions, state: Run): Promise<number> {
  const built = await buildRequest(o.items, o);
  checkVerify(o.verify);
  const method = o.method ?? (o.items.some(isBodyItem) ? "POST" : "GET");

  const headers: Array<[string, string | null]> = [];
  if (o.bearer !== undefined) headers.push(["Authorization", `Bearer ${o.bearer}`]);
  // a download is saved as sent: its size is the Content-Length, and progress is exact
  if (o.download) headers.push(["Accept-Encoding", "identity"]);
  headers.push(...built.headers);

  let latest: Progress = { loaded: 0, total: undefined };
  const options: RequestOptions = {
    headers,
    allow_redirects: o.follow,
    verify: o.verify,
    stream: true,
  };
  if (built.params.length > 0) options.params = built.params;
  if (built.json !== undefined) options.json = built.json;
  if (built.data !== undefined) options.data = built.data;
  if (built.files !== undefined) options.files = built.files;
  if (o.auth !== undefined) options.auth = o.auth;
  if (o.timeout !== undefined) options.timeout = o.timeout;
  if (o.download) {
    options.on_download_progress = (p) => {
      latest = p;
      state.progress?.update(p.loaded, p.total);
    };
  }

  // where the printed parts go
  const stdoutTTY = process.stdout.isTTY === true;
  let out: Out;
  if (o.download) {
    out = streamOut(process.stderr, process.stderr.isTTY === true, false);
  } else if (o.output !== undefined) {
    let fd: number;
    try {
      fd = openSync(o.output, "w");
    } catch (err) {
      throw new UsageError(`cannot write to ${JSON.stringify(o.output)}: ${(err as NodeJS.ErrnoException).code}`);
    }
    out = streamOut(createWriteStream("", { fd }), false, true);
  } else {
    out = streamOut(process.stdout, stdoutTTY, false);
  }
  const noColor = (process.env.NO_COLOR ?? "") !== "";
  const pretty = o.pretty ?? (out.isTTY ? "all" : "none");
  const style: Style = {
    colors: (pretty === "all" || pretty === "colors") && (o.pretty !== undefined || !noColor),
    format: pretty === "all" || pretty === "format",
  };
  const print = o.print ?? (o.offline ? "HB" : o.download ? "h" : out.isTTY ? "hb" : "b");
  const printer = new Printer(out, style);

  const session = new Session();
  state.session = session;
  if (o.maxRedirects !== undefined) session.max_redirects = o.maxRedirects;

  try {
    if (o.offline) {
      await printer.request(await session.prepare_request(method, o.url, options), print);
      return EXIT.OK;
    }

    let r: Response;
    try {
      r = await session.request(method, o.url, options);
    } catch (err) {
      // with -v, the request that failed is shown before the error
      const request = (err as { request?: PreparedRequest }).request;
      if (request !== undefined && /[HB]/.test(print)) await printer.request(request, print);
      throw err;
    }
    await printer.request(r.request, print);
    if (print.includes("h")) await printer.responseHead(r);
    const code = r.status_code;
    const status = `HTTP ${code}${r.reason === "" ? "" : ` ${r.reason}`}`;

    if (o.download) {
      if (code >= 200 && code < 300) {
        if (printer.printed) await out.write("\n");
        await save(r, o, () => latest, state);
      } else {
        r.close();
        const follow = code >= 300 && code < 400 ? " (--follow follows redirects)" : "";
        process.stderr.write(`reqwire: warning: ${status}: nothing was saved${follow}\n`);
      }
    } else if (print.includes("b")) {
      await printer.responseBody(r);
    } else {
      r.close();
    }
    await out.end();
    if (code >= 400 && !o.download && !out.isTTY) process.stderr.write(`reqwire: warning: ${status}\n`);
    return statusExit(code);
  } finally {
    session.close();
  }
}

/** Saves a 2xx body (--download) with progress on stderr. */
async function save(r: Response, o: CliOptions, latest: () => Progress, state: Run): Promise<void> {
  const type = r.headers.get("content-type");
  let file: Awaited<ReturnType<typeof createUnique>>;
  if (o.output !== undefined) {
    try {
      file = { handle: await open(o.output, "w"), path: o.output };
    } catch (err) {
      throw new UsageError(`cannot write to ${JSON.stringify(o.output)}: ${(err as NodeJS.ErrnoException).code}`);
    }
  } else {
    const name = contentDispositionFilename(r.headers.get("content-disposition")) ?? urlFilename(r.url, type);
    file = await createUnique(name);
  }
  const progress = new DownloadProgress(
    {
      write: (s) => process.stderr.write(s),
      isTTY: process.stderr.isTTY === true,
      columns: process.stderr.columns,
    },
    file.path,
  );
  state.progress = progress;
  const length = r.headers.get("content-length");
  const now = latest();
  progress.start(now.total ?? (length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined));
  progress.update(now.loaded, now.total);
  let written = 0;
  // said after an error or an interrupt until the file is complete
  state.hint = ` (incomplete download left in ${JSON.stringify(file.path)})`;
  try {
    for await (const chunk of r.iter_content()) {
      await file.handle.write(chunk);
      written += chunk.length;
    }
  } catch (err) {
    progress.abort();
    await file.handle.close().catch(() => undefined);
    throw err;
  }
  await file.handle.close();
  state.hint = "";
  progress.finish(written);
}

// ---- entry --------------------------------------------------------------------------------------

/** Runs the command line; resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const state: Run = { session: undefined, progress: undefined, hint: "" };
  const onInterrupt = () => {
    state.progress?.abort();
    process.stderr.write(`reqwire: error: interrupted${state.hint}\n`);
    state.session?.close();
    process.exit(EXIT.INTERRUPTED);
  };
  process.once("SIGINT", onInterrupt);
  try {
    const command = parseArgs(argv);
    if (command.kind === "help") {
      process.stdout.write(HELP);
      return EXIT.OK;
    }
    if (command.kind === "version") {
      process.stdout.write(`${requests.__version__}\n`);
      return EXIT.OK;
    }
    return await run(command.options, state);
  } catch (err) {
    state.progress?.abort();
    process.stderr.write(errorLine(err, state.hint));
    return exitCodeFor(err);
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}

// a reader that goes away (`reqwire URL | head -1`) ends the command quietly
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") process.stderr.write(errorLine(err));
  process.exit(err.code === "EPIPE" ? (process.exitCode ?? EXIT.OK) : EXIT.ERROR);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(errorLine(err));
    process.exitCode = EXIT.ERROR;
  },
);
