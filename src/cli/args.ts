// The command line of `reqwire`, httpie-style: options anywhere, then [METHOD] URL [ITEM ...].
// Parsing never touches the network or the file system: it only checks the shape of the
// arguments and throws UsageError (exit status 2) for anything malformed.
import { type Item, parseItem } from "./items.js";
import { UsageError } from "./usage.js";

export { UsageError };

/** `--pretty`: colours, formatting (indented JSON), both, or neither. */
export type Pretty = "all" | "colors" | "format" | "none";

/** What the command line asks for. */
export interface CliOptions {
  /** Upper-case method, when given. */
  method: string | undefined;
  /** The URL as completed (scheme added, `:port` shorthand expanded). */
  url: string;
  items: Item[];
  form: boolean;
  json: boolean;
  auth: [string, string] | undefined;
  bearer: string | undefined;
  /** Seconds. */
  timeout: number | undefined;
  follow: boolean;
  maxRedirects: number | undefined;
  /** true, false, or a path to trusted CA certificates (PEM). */
  verify: boolean | string;
  download: boolean;
  output: string | undefined;
  /** A subset of "HBhb", when given. */
  print: string | undefined;
  pretty: Pretty | undefined;
  offline: boolean;
}

export type Command = { kind: "help" } | { kind: "version" } | { kind: "run"; options: CliOptions };

export const USAGE = "usage: reqwire [OPTIONS] [METHOD] URL [ITEM ...]";

export const HELP = `${USAGE}

Send one HTTP request and print the response (httpie-style), with reqwire.

  METHOD  GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS (any case), or another
          upper-case token. Default: GET, or POST when there are data or file items.
  URL     http:// is assumed without a scheme; ":3000/x" means http://localhost:3000/x.

Request items:
  key=value         JSON string field (a form field with --form or with files)
  key:=json         raw JSON field: n:=42 ok:=true tags:='["a","b"]'
  key=@file         string field, read from a file
  key:=@file        raw JSON field, read from a file
  field@file        file upload (multipart/form-data); field@file;type=text/csv
  Header:value      request header; "Header:" removes a default header,
                    "Header;" sends it with an empty value
  name==value       query parameter
  A backslash escapes a separator in a key ('a\\:b=c'). A repeated JSON key makes an
  array; a repeated header is sent once, its values joined with ", ".

Options:
  -f, --form               send data fields form-encoded (multipart when there are files)
  -j, --json               send data fields as JSON (the default) and ask for JSON
  -a, --auth USER[:PASS]   Basic authentication (without ":", the password is empty)
      --bearer TOKEN       send "Authorization: Bearer TOKEN"
      --timeout SECONDS    fail when connecting, or waiting for the next bytes, takes longer
  -F, --follow             follow redirects (not followed by default)
      --max-redirects N    redirects followed before failing (default 30)
      --verify=yes|no|CA   check TLS certificates (default yes); CA: a PEM file of
                           certificate authorities to trust instead of the system's
      --no-verify          same as --verify=no
  -d, --download           save the body to a file, with progress on stderr; the response
                           headers go to stderr (--print applies, default h)
  -o, --output FILE        with --download: the file (overwritten); else write the output
                           to FILE instead of stdout. Without -o, --download names the file
                           after Content-Disposition or the URL, never overwriting (name-1…)
  -p, --print WHAT         what to show: H request headers, B request body, h response
                           headers, b response body (default: hb on a terminal, b when piped)
  -h, --headers            same as --print=h
  -b, --body               same as --print=b
  -v, --verbose            same as --print=HBhb
      --pretty=MODE        all, colors, format (JSON indented by 4) or none; default: all
                           on a terminal (colours off when NO_COLOR is set), none otherwise
      --offline            print the request that would be sent (--print default HB),
                           and send nothing
      --help               show this help (so does -h alone)
      --version            show reqwire's version

Exit status:
    0  the response is 1xx, 2xx or 3xx (a redirect not followed); --offline; --help
    1  the request failed: connection refused, DNS, TLS, timeout, broken response, I/O
    2  usage: a bad option, item, URL or file argument
    3  too many redirects (with --follow)
    4  the response is 4xx
    5  the response is 5xx
  130  interrupted (Ctrl-C)
Piped, a 4xx or 5xx also prints "reqwire: warning: HTTP 404 Not Found" on stderr.
A failure is reported as one line on stderr: "reqwire: error: ErrorClass: message"
(e.g. ConnectionError, ConnectTimeout, ReadTimeout, SSLError, TooManyRedirects).
`;

/** Methods recognised in any case; any other method must be an upper-case token. */
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"]);

/** Whether a first positional argument names a method rather than a URL ("localhost" is a URL). */
function isMethod(arg: string): boolean {
  if (!/^[A-Za-z]+$/.test(arg)) return false;
  return arg === arg.toUpperCase() || KNOWN_METHODS.has(arg.toUpperCase());
}

/**
 * The URL as httpie completes it: `:3000/x` ⇒ `http://localhost:3000/x`, `:/x` ⇒
 * `http://localhost/x`, and `http://` before anything without a scheme.
 */
export function completeUrl(raw: string): string {
  if (/^:\d*(?=\/|$|\?|#)/.test(raw)) {
    const m = /^:(\d*)(.*)$/s.exec(raw) as RegExpExecArray;
    const port = m[1] === "" ? "" : `:${m[1]}`;
    return `http://localhost${port}${m[2]}`;
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw)) return raw;
  return `http://${raw}`;
}

const FLAGS: Record<string, keyof typeof FLAG_ACTIONS> = {
  "-f": "form",
  "--form": "form",
  "-j": "json",
  "--json": "json",
  "-F": "follow",
  "--follow": "follow",
  "--no-verify": "noVerify",
  "-d": "download",
  "--download": "download",
  "-h": "headers",
  "--headers": "headers",
  "-b": "body",
  "--body": "body",
  "-v": "verbose",
  "--verbose": "verbose",
  "--offline": "offline",
  "--help": "help",
  "--version": "version",
};

const FLAG_ACTIONS = {
  form: (o: Draft) => {
    o.form = true;
  },
  json: (o: Draft) => {
    o.json = true;
  },
  follow: (o: Draft) => {
    o.follow = true;
  },
  noVerify: (o: Draft) => {
    o.verify = false;
  },
  download: (o: Draft) => {
    o.download = true;
  },
  headers: (o: Draft) => {
    o.print = "h";
  },
  body: (o: Draft) => {
    o.print = "b";
  },
  verbose: (o: Draft) => {
    o.print = "HBhb";
  },
  offline: (o: Draft) => {
    o.offline = true;
  },
  help: (o: Draft) => {
    o.help = true;
  },
  version: (o: Draft) => {
    o.version = true;
  },
};

/** Options that take a value: `--name VALUE`, `--name=VALUE`, `-x VALUE`, `-xVALUE`. */
const VALUED: Record<string, string> = {
  "-a": "--auth",
  "--auth": "--auth",
  "--bearer": "--bearer",
  "--timeout": "--timeout",
  "--max-redirects": "--max-redirects",
  "-o": "--output",
  "--output": "--output",
  "-p": "--print",
  "--print": "--print",
  "--pretty": "--pretty",
};

type Draft = Omit<CliOptions, "method" | "url" | "items"> & { help: boolean; version: boolean };

function setValued(o: Draft, name: string, value: string): void {
  switch (name) {
    case "--auth": {
      const colon = value.indexOf(":");
      o.auth = colon < 0 ? [value, ""] : [value.slice(0, colon), value.slice(colon + 1)];
      if (o.auth[0] === "") throw new UsageError("--auth needs USER[:PASS]");
      return;
    }
    case "--bearer":
      if (value === "" || /[\r\n]/.test(value)) throw new UsageError("--bearer needs a token");
      o.bearer = value;
      return;
    case "--timeout": {
      const n = Number(value);
      if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
        throw new UsageError(`--timeout needs a positive number of seconds, got ${JSON.stringify(value)}`);
      }
      o.timeout = n;
      return;
    }
    case "--max-redirects": {
      if (!/^\d+$/.test(value))
        throw new UsageError(`--max-redirects needs a whole number, got ${JSON.stringify(value)}`);
      o.maxRedirects = Number(value);
      return;
    }
    case "--output":
      if (value === "") throw new UsageError("--output needs a file name");
      o.output = value;
      return;
    case "--print":
      if (!/^[HBhb]*$/.test(value)) {
        throw new UsageError(`--print takes letters among H, B, h, b; got ${JSON.stringify(value)}`);
      }
      o.print = value;
      return;
    case "--pretty":
      if (value !== "all" && value !== "colors" && value !== "format" && value !== "none") {
        throw new UsageError(`--pretty takes all, colors, format or none; got ${JSON.stringify(value)}`);
      }
      o.pretty = value;
      return;
  }
}

function setVerify(o: Draft, value: string): void {
  const v = value.toLowerCase();
  if (v === "yes" || v === "true") o.verify = true;
  else if (v === "no" || v === "false") o.verify = false;
  else if (value === "") throw new UsageError("--verify= needs yes, no or a CA file");
  else o.verify = value;
}

/** Parses the arguments after `reqwire`. */
export function parseArgs(argv: readonly string[]): Command {
  // `reqwire -h` alone asks for help (with anything else, -h is --headers, as in httpie)
  if (argv.length === 1 && argv[0] === "-h") return { kind: "help" };
  const o: Draft = {
    form: false,
    json: false,
    auth: undefined,
    bearer: undefined,
    timeout: undefined,
    follow: false,
    maxRedirects: undefined,
    verify: true,
    download: false,
    output: undefined,
    print: undefined,
    pretty: undefined,
    offline: false,
    help: false,
    version: false,
  };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg : arg.slice(0, eq);
      if (name === "--verify") {
        if (eq >= 0) setVerify(o, arg.slice(eq + 1));
        else o.verify = true;
        continue;
      }
      const flag = FLAGS[name];
      if (flag !== undefined) {
        if (eq >= 0) throw new UsageError(`${name} takes no value`);
        FLAG_ACTIONS[flag](o);
        continue;
      }
      const valued = VALUED[name];
      if (valued === undefined) throw new UsageError(`unknown option ${name}`);
      let value: string;
      if (eq >= 0) value = arg.slice(eq + 1);
      else {
        if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value`);
        value = argv[++i] as string;
      }
      setValued(o, valued, value);
      continue;
    }
    // short options, possibly grouped (-vF), the last one possibly taking a value (-ofile, -o file)
    for (let j = 1; j < arg.length; j++) {
      const short = `-${arg[j]}`;
      const flag = FLAGS[short];
      if (flag !== undefined) {
        FLAG_ACTIONS[flag](o);
        continue;
      }
      const valued = VALUED[short];
      if (valued === undefined) throw new UsageError(`unknown option ${short}`);
      let value = arg.slice(j + 1);
      if (value === "") {
        if (i + 1 >= argv.length) throw new UsageError(`${short} needs a value`);
        value = argv[++i] as string;
      }
      setValued(o, valued, value);
      break;
    }
  }
  if (o.help) return { kind: "help" };
  if (o.version) return { kind: "version" };

  let method: string | undefined;
  if (positional.length >= 2 && isMethod(positional[0] as string))
    method = (positional.shift() as string).toUpperCase();
  const rawUrl = positional.shift();
  if (rawUrl === undefined || rawUrl === "") throw new UsageError("the URL is missing");
  const items = positional.map(parseItem);
  if (o.auth !== undefined && o.bearer !== undefined)
    throw new UsageError("--auth and --bearer cannot be used together");
  if (o.form && o.json) throw new UsageError("--form and --json cannot be used together");
  const { help: _help, version: _version, ...rest } = o;
  return { kind: "run", options: { ...rest, method, url: completeUrl(rawUrl), items } };
}
