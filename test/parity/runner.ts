// The reqwire half of the parity suite: runs a scenario (already resolved: URLs and templates
// filled in) through the built package and makes the same raw record driver.py makes with
// requests. normalise() then treats both records alike (addresses to placeholders, volatile echo
// parts removed), so the two sides are compared after one and the same normalisation.
import { createHash } from "node:crypto";
import type * as Reqwire from "../../src/main.js";
import type { Data, Scenario, Step } from "./types.js";

type Api = typeof Reqwire;
type Response = Reqwire.Response;
type Session = Reqwire.Session;
type Rec = { [key: string]: unknown };

/** requests.exceptions' class names: a reqwire error is recorded as the nearest of these. */
const REQUESTS_EXCEPTIONS = new Set([
  "RequestException",
  "InvalidJSONError",
  "JSONDecodeError",
  "HTTPError",
  "ConnectionError",
  "ProxyError",
  "SSLError",
  "Timeout",
  "ConnectTimeout",
  "ReadTimeout",
  "URLRequired",
  "TooManyRedirects",
  "MissingSchema",
  "InvalidSchema",
  "InvalidURL",
  "InvalidHeader",
  "InvalidProxyURL",
  "ChunkedEncodingError",
  "ContentDecodingError",
  "StreamConsumedError",
  "RetryError",
  "UnrewindableBodyError",
]);

/** The requests class an error maps to: its own class name, else its nearest ancestor's. */
export function errorClass(err: unknown): string {
  if (!(err instanceof Error)) return `non-error ${String(err)}`;
  for (let ctor = err.constructor as { errorName?: string; name: string } | null; ctor !== null; ) {
    const name = ctor.errorName ?? ctor.name;
    if (REQUESTS_EXCEPTIONS.has(name)) return name;
    if (name === "Error" || name === "Object") break;
    ctor = Object.getPrototypeOf(ctor) as typeof ctor;
  }
  return `not a requests exception: ${err.name}: ${err.message}`;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const utf8 = new TextEncoder();

function summary(bytes: Uint8Array): Rec {
  return { length: bytes.length, sha256: sha256(bytes) };
}

function textSummary(text: string): Rec {
  return { ...summary(utf8.encode(text)), head: text.slice(0, 80) };
}

/** A line of iter_lines: its JSON value, its text, or its bytes in hex when not UTF-8. */
function lineValue(line: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(line);
  } catch {
    return `hex:${Buffer.from(line).toString("hex")}`;
  }
  try {
    return { json: JSON.parse(text) };
  } catch {
    return text;
  }
}

/** A streamed body, joined: its JSON value when declared JSON and parseable, else length and hash. */
function joinedValue(joined: Uint8Array, contentType: string | undefined): Rec {
  if ((contentType ?? "").toLowerCase().includes("json")) {
    try {
      return { json: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(joined)) };
    } catch {
      // not one JSON value (JSON lines, say): compared as bytes
    }
  }
  return summary(joined);
}

function dataOption(data: Data): string | Uint8Array | Record<string, string | string[]> {
  if ("form" in data) return data.form;
  if ("text" in data) return data.text;
  return new Uint8Array(Buffer.from(data.base64, "base64"));
}

function authOption(api: Api, auth: NonNullable<Step["auth"]>): Reqwire.Auth {
  if ("basic" in auth) return auth.basic;
  return new api.HTTPDigestAuth(auth.digest[0], auth.digest[1]);
}

function options(api: Api, step: Step): Reqwire.RequestOptions {
  const o: Reqwire.RequestOptions = {};
  if (step.params !== undefined) o.params = step.params;
  if (step.data !== undefined) o.data = dataOption(step.data);
  if (step.json !== undefined) o.json = step.json;
  if (step.files !== undefined) o.files = step.files;
  if (step.headers !== undefined) o.headers = step.headers;
  if (step.cookies !== undefined) o.cookies = step.cookies;
  if (step.auth !== undefined) o.auth = authOption(api, step.auth);
  if (step.allow_redirects !== undefined) o.allow_redirects = step.allow_redirects;
  if (step.timeout !== undefined) o.timeout = step.timeout;
  if (step.stream === true || step.read !== undefined) o.stream = true;
  return o;
}

const NAMED = new Set(["GET", "OPTIONS", "HEAD", "POST", "PUT", "PATCH", "DELETE"]);

function send(api: Api, session: Session | undefined, step: Step): Promise<Response> {
  const o = options(api, step);
  const method = step.method.toUpperCase();
  if (session !== undefined) {
    if (!NAMED.has(method)) return session.request(step.method, step.url, o);
    const fn = method.toLowerCase() as "get" | "options" | "head" | "post" | "put" | "patch" | "delete";
    return session[fn](step.url, o);
  }
  if (!NAMED.has(method)) return api.request(step.method, step.url, o);
  switch (method) {
    case "GET":
      return api.get(step.url, o);
    case "OPTIONS":
      return api.options(step.url, o);
    case "HEAD":
      return api.head(step.url, o);
    case "POST":
      return api.post(step.url, o);
    case "PUT":
      return api.put(step.url, o);
    case "PATCH":
      return api.patch(step.url, o);
    default:
      return api.del(step.url, o);
  }
}

async function recordStep(api: Api, session: Session | undefined, step: Step): Promise<Rec> {
  let r: Response;
  try {
    r = await send(api, session, step);
  } catch (err) {
    return { error: { class: errorClass(err) } };
  }
  const rec: Rec = {
    status: r.status_code,
    reason: r.reason,
    url: r.url,
    history: r.history.map((h) => h.status_code),
  };
  const fields = new Set(step.record ?? []);
  if (step.headers_out !== undefined) {
    const headers: Rec = {};
    for (const name of step.headers_out) headers[name] = r.headers.get(name) ?? null;
    rec.headers = headers;
  }
  if (fields.has("history_urls")) rec.history_urls = r.history.map((h) => h.url);
  if (fields.has("flags"))
    rec.flags = { is_redirect: r.is_redirect, is_permanent_redirect: r.is_permanent_redirect, ok: r.ok };
  if (fields.has("response_cookies")) rec.response_cookies = Object.fromEntries(r.cookies.items());
  try {
    if (step.read !== undefined) {
      if ("iter_content" in step.read) {
        const n = step.read.iter_content;
        const parts: Uint8Array[] = [];
        let within = true;
        for await (const chunk of r.iter_content(n)) {
          if (chunk.length === 0 || chunk.length > n) within = false;
          parts.push(chunk);
        }
        const joined = Buffer.concat(parts);
        rec.stream = { ...joinedValue(joined, r.headers.get("content-type")), chunks_within_size: within };
      } else {
        const lines: unknown[] = [];
        for await (const line of r.iter_lines()) lines.push(lineValue(line));
        rec.stream = { lines };
      }
    } else {
      if (step.stream === true) await r.read();
      const type = (r.headers.get("content-type") ?? "").toLowerCase();
      if (type.includes("json")) {
        try {
          rec.body = { json: r.json() };
        } catch (err) {
          rec.body = { json_error: errorClass(err), ...summary(r.content) };
        }
      } else {
        rec.body = summary(r.content);
      }
      if (step.encoding !== undefined) r.encoding = step.encoding;
      if (fields.has("encoding")) rec.encoding = r.encoding ?? null;
      if (fields.has("text")) rec.text = textSummary(r.text);
      if (fields.has("json")) {
        try {
          rec.json = { value: r.json() };
        } catch (err) {
          rec.json = { error: errorClass(err) };
        }
      }
    }
  } catch (err) {
    rec.error = { class: errorClass(err) };
  }
  if (fields.has("raise")) {
    try {
      r.raise_for_status();
      rec.raise = null;
    } catch (err) {
      rec.raise = { error: errorClass(err), message: (err as Error).message };
    }
  }
  if (fields.has("session_cookies")) {
    rec.session_cookies = session === undefined ? null : Object.fromEntries(session.cookies.items());
  }
  return rec;
}

/** Runs a resolved scenario through reqwire; one record per step. */
export async function runReqwire(api: Api, scenario: Scenario): Promise<Rec[]> {
  let session: Session | undefined;
  if (scenario.mode === "session") {
    session = new api.Session();
    const s = scenario.session ?? {};
    if (s.max_redirects !== undefined) session.max_redirects = s.max_redirects;
    if (s.headers !== undefined) for (const [k, v] of Object.entries(s.headers)) session.headers[k] = v;
    if (s.auth !== undefined) session.auth = authOption(api, s.auth);
  }
  try {
    const out: Rec[] = [];
    for (const step of scenario.steps) out.push(await recordStep(api, session, step));
    return out;
  } finally {
    session?.close();
  }
}
