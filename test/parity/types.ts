// The declarative format of the parity scenarios (scenarios.ts), executed alike by Python requests
// (driver.py, which reads them as JSON) and by reqwire (runner.ts). Nothing here is code either
// side runs on its own: every option has one meaning in both clients.

/** A request body given as `data=`. */
export type Data =
  /** A form: requests' dict (a list value repeats the key). */
  | { form: Record<string, string | string[]> }
  /** A str / string body. */
  | { text: string }
  /** A bytes / Uint8Array body, written here in base64. */
  | { base64: string };

/** Which extra fields a step records (status, reason, url, history and the body always are). */
export type Field =
  /** `r.text`: its length, SHA-256 (of its UTF-8) and first 80 characters. */
  | "text"
  /** `r.encoding` (null when requests has none). */
  | "encoding"
  /** `r.json()` on a body that is not declared JSON: the value, or the error class. */
  | "json"
  /** `r.raise_for_status()`: null, or the error class and message. */
  | "raise"
  /** The session's cookie jar after the step, as a name ⇒ value dict. */
  | "session_cookies"
  /** `r.cookies` (what this response set) as a dict. */
  | "response_cookies"
  /** The URLs of `r.history`. */
  | "history_urls"
  /** `r.is_redirect`, `r.is_permanent_redirect`, `r.ok`. */
  | "flags";

/** One request of a scenario. */
export interface Step {
  /** The method; `get`/`post`/… of the session or module when it has one, else `request()`. */
  method: string;
  /**
   * A path on httpbin ("/get"), or a URL template: `{httpbin}` (http://127.0.0.1:port),
   * `{httpbin-host}` (127.0.0.1:port), `{aux}` (the second local server, another host:
   * 127.0.0.2), `{silent}` (a listener that completes no connection), `{refused}` (a closed
   * port). The same substitution applies to params, header values and data.
   */
  url: string;
  params?: Record<string, string | number | null | Array<string | number>>;
  data?: Data;
  json?: unknown;
  /** `files=`: field ⇒ [filename, content (text, sent as UTF-8), content type?]. */
  files?: Record<string, [string, string] | [string, string, string]>;
  /** Header values; null removes a session header. */
  headers?: Record<string, string | null>;
  cookies?: Record<string, string>;
  auth?: { basic: [string, string] } | { digest: [string, string] };
  allow_redirects?: boolean;
  /** Seconds, or [connect, read]. */
  timeout?: number | [number, number];
  /** `stream=True`; the body is then read by `read`, or whole with `r.content`. */
  stream?: boolean;
  /** How a streamed body is read (implies stream): iter_content(n) or iter_lines(). */
  read?: { iter_content: number } | { iter_lines: true };
  /** Sets `r.encoding` before `r.text` is read. */
  encoding?: string;
  /** Extra fields to record. */
  record?: Field[];
  /** Response headers to record by name (the name as written here, looked up case-insensitively). */
  headers_out?: string[];
}

/**
 * A difference between the two clients that is on purpose: both sides must give exactly these
 * values in `field` (a path in the record: step index, then keys, e.g. "0.body.json.data"), so a
 * change on either side is noticed. Each one belongs in README's "Differences from requests".
 */
export interface Difference {
  field: string;
  reason: string;
  requests: unknown;
  reqwire: unknown;
}

export interface Scenario {
  name: string;
  /** "module": each step a module-level call (`requests.get`); "session": one Session for all. */
  mode: "module" | "session";
  /** Settings of the session (mode "session"). */
  session?: {
    max_redirects?: number;
    headers?: Record<string, string>;
    auth?: { basic: [string, string] } | { digest: [string, string] };
  };
  steps: Step[];
  differences?: Difference[];
}

/** The addresses that URL templates name. */
export interface Bases {
  httpbin: string;
  aux: string;
  silent: string;
  refused: string;
}

/**
 * Replaces `{httpbin}`, `{httpbin-host}`, `{aux}`, `{silent}`, `{refused}` in `text`, also where
 * they were percent-encoded (a URL inside a query parameter).
 */
export function fill(text: string, bases: Bases): string {
  const values: Array<[string, string]> = [
    ["{httpbin}", bases.httpbin],
    ["{httpbin-host}", bases.httpbin.replace(/^http:\/\//, "")],
    ["{aux}", bases.aux],
    ["{silent}", bases.silent],
    ["{refused}", bases.refused],
  ];
  let out = text;
  for (const [name, value] of values) {
    out = out.replaceAll(name, value).replaceAll(encodeURIComponent(name), encodeURIComponent(value));
  }
  return out;
}

/** The URL a step requests: a bare path is on httpbin. */
export function stepUrl(step: Step, bases: Bases): string {
  return step.url.startsWith("/") ? bases.httpbin + fill(step.url, bases) : fill(step.url, bases);
}
