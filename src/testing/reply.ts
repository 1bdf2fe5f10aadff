// What a mock answers: the reply a test registers (status, headers, a body in one of four forms, an
// error, a delay) and its checked, ready-to-send form. Content-Length and Content-Type are added
// here; the bytes are written by socket.ts with wire.ts.
import type { MockRequest } from "./request.js";

/** Header fields of a reply: a plain object (an array value repeats the field) or `[name, value]` pairs. */
export type ReplyHeaders =
  | Readonly<Record<string, string | readonly string[]>>
  | ReadonlyArray<readonly [string, string]>;

/** One piece of a chunked reply body: bytes, or text sent as UTF-8. */
export type ReplyChunk = Uint8Array | string;

/**
 * What a mock answers with. At most one of `json`, `text`, `body` and `chunks` gives the body
 * (none: an empty body); `exc` instead makes the request fail.
 * @example
 * ```ts
 * m.get("http://api.test/user", { json: { id: 7 } });
 * m.get("http://api.test/old", { status: 302, headers: { Location: "/user" } });
 * m.get("http://api.test/down", { exc: new ConnectTimeout("mocked") });
 * ```
 */
export interface MockReply {
  /**
   * The status code (3 digits, 200 to 999: informational responses are not replies).
   * @default 200
   */
  status?: number;
  /**
   * The reason phrase.
   * @default the standard phrase of `status` ("OK", "Not Found"…), or "Unknown"
   */
  reason?: string;
  /**
   * Header fields, sent as given (names in their case, values as Latin-1). Content-Length is added
   * unless the body is chunked or given one here; Content-Type is added for `json` and `text`
   * unless given here. `Transfer-Encoding: chunked` here sends `body`, `json` or `text` as one chunk.
   */
  headers?: ReplyHeaders;
  /** A body of JSON: `JSON.stringify(json)`, with `Content-Type: application/json`. */
  json?: unknown;
  /** A body of text, as UTF-8, with `Content-Type: text/plain; charset=utf-8`. */
  text?: string;
  /** A body of bytes, sent as they are (a gzip body with `Content-Encoding: gzip` is decoded by the client). */
  body?: Uint8Array | ArrayBuffer;
  /**
   * A body sent chunked (`Transfer-Encoding: chunked`), one chunk per piece, each piece written
   * when the iterable gives it: a stream the client reads as it comes (`stream: true`,
   * `iter_content()`). If the iterable throws, the body breaks off and reading it fails with that error.
   * An array answers every request; an iterator (a generator's) is used up by the first: make a
   * new one per request with a reply callback (`() => ({ chunks: gen() })`).
   */
  chunks?: AsyncIterable<ReplyChunk> | Iterable<ReplyChunk>;
  /**
   * Fail the request with this error instead of answering: the call rejects with this very object
   * (`await expect(s.get(u)).rejects.toBe(exc)`), after the request was sent.
   */
  exc?: Error;
  /**
   * Milliseconds to wait before answering (or failing), from when the whole request arrived: with
   * a shorter `timeout` the request fails with ReadTimeout.
   * @default 0
   */
  delay?: number;
}

/** A reply made per request: from the request as received. Throwing (or rejecting) fails the request with that error. */
export type ReplyCallback = (request: MockRequest) => MockReply | Promise<MockReply>;

/** A reply, or a function making one per request. */
export type Reply = MockReply | ReplyCallback;

/** Reason phrases (RFC 9110 and friends). */
const REASONS: Readonly<Record<number, string>> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  203: "Non-Authoritative Information",
  204: "No Content",
  205: "Reset Content",
  206: "Partial Content",
  207: "Multi-Status",
  208: "Already Reported",
  226: "IM Used",
  300: "Multiple Choices",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  305: "Use Proxy",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  407: "Proxy Authentication Required",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  417: "Expectation Failed",
  418: "I'm a Teapot",
  421: "Misdirected Request",
  422: "Unprocessable Content",
  423: "Locked",
  424: "Failed Dependency",
  425: "Too Early",
  426: "Upgrade Required",
  428: "Precondition Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  451: "Unavailable For Legal Reasons",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
  506: "Variant Also Negotiates",
  507: "Insufficient Storage",
  508: "Loop Detected",
  510: "Not Extended",
  511: "Network Authentication Required",
};

/** A reply checked and ready to send. */
export interface Answer {
  status: number;
  reason: string;
  /** Every field to send, Content-Length and Content-Type included. */
  fields: Array<readonly [string, string]>;
  /** The whole body (empty for none), or undefined when `chunks` gives it. */
  body: Uint8Array | undefined;
  /** Pieces of a chunked body, when the body is chunked. */
  chunks: AsyncIterable<ReplyChunk> | Iterable<ReplyChunk> | undefined;
  /** The body is sent chunked. */
  chunked: boolean;
  /** Fail the request with this instead. */
  exc: Error | undefined;
  /** Milliseconds before answering. */
  delay: number;
  /** The reply says `Connection: close`: the connection ends after it. */
  close: boolean;
}

const BODY_KEYS = ["json", "text", "body", "chunks"] as const;
const utf8 = new TextEncoder();

function fail(message: string): never {
  throw new TypeError(`reqwire/testing: ${message}`);
}

function fieldList(headers: ReplyHeaders | undefined): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  if (headers === undefined) return out;
  const add = (name: unknown, value: unknown) => {
    if (typeof name !== "string" || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      fail(`reply header name ${JSON.stringify(name)} is not an HTTP token`);
    }
    if (typeof value !== "string") fail(`reply header ${name} must be a string, got ${typeof value}`);
    out.push([name, value]);
  };
  if (Array.isArray(headers)) {
    for (const pair of headers as ReadonlyArray<readonly [string, string]>) add(pair[0], pair[1]);
  } else {
    for (const [name, value] of Object.entries(headers as Record<string, string | readonly string[]>)) {
      if (Array.isArray(value)) for (const v of value) add(name, v);
      else add(name, value);
    }
  }
  return out;
}

function has(fields: ReadonlyArray<readonly [string, string]>, name: string): boolean {
  return fields.some(([n]) => n.toLowerCase() === name);
}

/**
 * Checks a reply and makes it ready to send (an answer to HEAD keeps its Content-Length: socket.ts
 * leaves the body out). @throws TypeError for a reply that cannot be sent
 */
export function prepareAnswer(reply: MockReply): Answer {
  if (typeof reply !== "object" || reply === null) fail(`a reply must be an object, got ${reply}`);
  const given = BODY_KEYS.filter((k) => reply[k] !== undefined);
  if (given.length > 1) fail(`a reply has one body at most; this one has ${given.join(" and ")}`);
  const status = reply.status ?? 200;
  if (!Number.isInteger(status) || status < 200 || status > 999) {
    fail(`reply status must be an integer from 200 to 999, got ${status}`);
  }
  const delay = reply.delay ?? 0;
  if (typeof delay !== "number" || !(delay >= 0))
    fail(`reply delay must be a number of milliseconds >= 0, got ${delay}`);
  if (reply.exc !== undefined && !(reply.exc instanceof Error)) fail("reply exc must be an Error");
  const reason = reply.reason ?? REASONS[status] ?? "Unknown";
  if (/[\r\n]/.test(reason)) fail(`reply reason ${JSON.stringify(reason)} has a line break`);
  const fields = fieldList(reply.headers);
  for (const [name, value] of fields) {
    if (/[\r\n\0]/.test(value)) fail(`reply header ${name} has CR, LF or NUL`);
    for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0xff) fail(`reply header ${name} is not Latin-1`);
  }

  let body: Uint8Array | undefined;
  let contentType: string | undefined;
  if (reply.json !== undefined) {
    const text = JSON.stringify(reply.json);
    if (text === undefined) fail("reply json cannot be serialized");
    body = utf8.encode(text);
    contentType = "application/json";
  } else if (reply.text !== undefined) {
    if (typeof reply.text !== "string") fail("reply text must be a string");
    body = utf8.encode(reply.text);
    contentType = "text/plain; charset=utf-8";
  } else if (reply.body !== undefined) {
    if (reply.body instanceof Uint8Array) body = reply.body;
    else if (reply.body instanceof ArrayBuffer) body = new Uint8Array(reply.body);
    else fail("reply body must be a Uint8Array or an ArrayBuffer");
  } else if (reply.chunks !== undefined) {
    const c = reply.chunks as { [Symbol.asyncIterator]?: unknown; [Symbol.iterator]?: unknown };
    if (typeof c[Symbol.asyncIterator] !== "function" && typeof c[Symbol.iterator] !== "function") {
      fail("reply chunks must be an iterable or an async iterable");
    }
  } else {
    body = new Uint8Array(0);
  }

  const te = fields.find(([n]) => n.toLowerCase() === "transfer-encoding");
  const chunked = reply.chunks !== undefined || (te !== undefined && /chunked\s*$/i.test(te[1]));
  // 204 and 304 have no body: nothing is added that would announce one
  const bodiless = status === 204 || status === 304;
  if (bodiless && body !== undefined && body.length > 0) fail(`a ${status} reply has no body`);
  if (bodiless && reply.chunks !== undefined) fail(`a ${status} reply has no body`);
  if (!bodiless) {
    if (contentType !== undefined && !has(fields, "content-type")) fields.push(["Content-Type", contentType]);
    if (chunked) {
      if (te === undefined) fields.push(["Transfer-Encoding", "chunked"]);
    } else if (!has(fields, "content-length")) {
      fields.push(["Content-Length", String((body as Uint8Array).length)]);
    }
  }
  const connection = fields.find(([n]) => n.toLowerCase() === "connection");
  return {
    status,
    reason,
    fields,
    body: reply.chunks === undefined ? body : undefined,
    chunks: reply.chunks,
    chunked,
    exc: reply.exc,
    delay,
    close: connection !== undefined && /(?:^|,)\s*close\s*(?:,|$)/i.test(connection[1]),
  };
}

/** `piece` as bytes. */
export function chunkBytes(piece: ReplyChunk): Uint8Array {
  if (typeof piece === "string") return utf8.encode(piece);
  if (piece instanceof Uint8Array) return piece;
  throw new TypeError(`reqwire/testing: a reply chunk must be a Uint8Array or a string, got ${typeof piece}`);
}
