// The server of bench/e2e.ts: node:net, keep-alive, answers from canned bytes (no node:http, so the
// server is not what limits a client). Run as a child process (fork) by bench/e2e.ts; it reports
// its port and what it sends over IPC, and answers `stats` queries (connections, requests, CPU).
//
//   GET /small            200, 6 headers, a ~100-byte JSON body (Content-Length)
//   GET /chunked-1m       200, 1 MiB body in 16 chunks of 64 KiB (Transfer-Encoding: chunked)
//   PUT /upload           reads the request body (Content-Length or chunked), then 200 with a
//                         fixed-width text body `received NNNNNNNNNN` (the byte count it read)
//   POST /post-json       reads the request body without parsing it, then 200 with a fixed small
//                         JSON body; 400 unless the request's Content-Type is application/json and
//                         its body has at least 256 bytes (a cheap check on every timed request)
//   POST /post-json/echo  parses the JSON request body and answers it back with the request's
//                         Content-Type (verification only, never timed)
//   GET /page.html        200, a 20 KiB `text/html; charset=utf-8` page with non-ASCII text
//   GET /headers30        200, 30 CDN-style header fields, a small JSON body
//   anything else         404 (small body)
//
// Request parsing is minimal but correct for what clients send: pipelined requests, heads split
// anywhere, Content-Length and chunked request bodies (extensions and trailers skipped),
// `Expect: 100-continue`, `Connection: close`. A malformed request gets 400 and the connection closes.
import { createHash } from "node:crypto";
import { createServer, Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { filler } from "./common.js";

const CHUNK = 64 * 1024;
const CHUNKS = 16;
const MAX_HEAD = 64 * 1024;

function response(status: string, headers: Array<[string, string]>, body: Buffer): Buffer {
  let head = `HTTP/1.1 ${status}\r\n`;
  for (const [k, v] of headers) head += `${k}: ${v}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`, "latin1"), body]);
}

const DATE = "Tue, 14 Jan 2025 10:23:45 GMT";

const smallBody = Buffer.from(
  JSON.stringify({
    id: 4711,
    sku: "WID-4711-BL",
    name: "widget",
    price: 19.99,
    tags: ["blue", "small"],
    inStock: true,
  }),
  "latin1",
);
const SMALL = response(
  "200 OK",
  [
    ["Date", DATE],
    ["Server", "e2e-bench"],
    ["Content-Type", "application/json"],
    ["Content-Length", String(smallBody.length)],
    ["Cache-Control", "no-store"],
    ["X-Request-Id", "7f3c9a2e-4b1d-4e8a-9c2f-1a2b3c4d5e6f"],
  ],
  smallBody,
);

/** The answer to every timed `POST /post-json`: compact JSON, as a created-resource reply. */
const postJsonBody = Buffer.from(JSON.stringify({ ok: true, id: 90125, status: "created" }), "latin1");
const POST_JSON = response(
  "200 OK",
  [
    ["Date", DATE],
    ["Server", "e2e-bench"],
    ["Content-Type", "application/json"],
    ["Content-Length", String(postJsonBody.length)],
  ],
  postJsonBody,
);

/**
 * A 20 KiB (20,480-byte) HTML page: a product table whose names mix ASCII with Latin-1
 * accents, Greek, Cyrillic, CJK and an emoji, so decoding it is real UTF-8 work (about 4% of
 * the bytes are in multi-byte sequences).
 */
function htmlPage(bytes: number): string {
  const names = [
    "Café crème",
    "Größe M — grün",
    "Piñata grande",
    "Smørrebrød",
    "Façade naïve",
    "東京タワー",
    "Привет, мир",
    "Ελληνικά",
    "Crème brûlée",
    "Rennrad 🚲",
  ];
  const head =
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Catalogue — page 1</title>\n' +
    '<link rel="stylesheet" href="/static/site.css">\n</head>\n<body>\n<h1>Catalogue</h1>\n<table class="products">\n' +
    "<tr><th>#</th><th>Name</th><th>Price</th><th>Stock</th></tr>\n";
  const tail = "</table>\n<footer>© 2025 Example GmbH · Impressum · Datenschutz</footer>\n</body>\n</html>\n";
  let rows = "";
  for (let i = 0; ; i++) {
    const price = (((i * 7919) % 10000) / 100 + 1).toFixed(2);
    const row =
      `<tr id="p${i}"><td>${i + 1}</td><td><a href="/p/${1000 + i}">${names[i % names.length]} ${i}</a></td>` +
      `<td>€ ${price}</td><td>${(i * 31) % 97}</td></tr>\n`;
    if (Buffer.byteLength(head + rows + row + tail) + 16 > bytes) break;
    rows += row;
  }
  const pad = bytes - Buffer.byteLength(head + rows + tail) - 8; // `<!--`, `-->` and a newline
  return `${head + rows}<!--${" ".repeat(pad)}-->\n${tail}`;
}
const htmlBody = Buffer.from(htmlPage(20 * 1024), "utf8");
const HTML = response(
  "200 OK",
  [
    ["Date", DATE],
    ["Server", "e2e-bench"],
    ["Content-Type", "text/html; charset=utf-8"],
    ["Content-Length", String(htmlBody.length)],
    ["Cache-Control", "no-cache"],
  ],
  htmlBody,
);

/** A small JSON body behind 30 header fields, as a CDN in front of an API would send them. */
const headers30Body = Buffer.from(
  JSON.stringify({ id: "a1b2c3", items: [1, 2, 3], cached: true, region: "eu-central" }),
  "latin1",
);
/** The fields the clients read by name (lower-case name → value). */
const HEADERS30_READ = {
  "content-type": "application/json; charset=utf-8",
  etag: 'W/"5f3a-1b2c3d4e5f60"',
  "x-request-id": "b6f0c2d4-91a7-4c3e-8d5b-2f6e7a8c9d01",
};
const HEADERS30_FIELDS: Array<[string, string]> = [
  ["Date", DATE],
  ["Content-Type", HEADERS30_READ["content-type"]],
  ["Content-Length", String(headers30Body.length)],
  ["Connection", "keep-alive"],
  ["Cache-Control", "public, max-age=300, s-maxage=600, stale-while-revalidate=30"],
  ["ETag", HEADERS30_READ.etag],
  ["Last-Modified", "Tue, 14 Jan 2025 09:58:12 GMT"],
  ["Vary", "Accept-Encoding, Origin"],
  ["Server", "cloudflare"],
  ["CF-Ray", "8f2a1b3c4d5e6f70-FRA"],
  ["CF-Cache-Status", "HIT"],
  ["Age", "137"],
  ["X-Cache", "Hit from cloudfront"],
  ["X-Amz-Cf-Pop", "FRA56-P3"],
  ["X-Amz-Cf-Id", "Qm9keS1pZC1mb3ItdGhlLWJlbmNoLW9ubHk9PQ_f3aB9xLw2kP0vT=="],
  ["Via", "1.1 7c4e2a9b1d3f5e6a.cloudfront.net (CloudFront)"],
  ["Strict-Transport-Security", "max-age=31536000; includeSubDomains; preload"],
  [
    "Content-Security-Policy",
    "default-src 'self'; script-src 'self' https://cdn.example.com; img-src 'self' data: https:; " +
      "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  ],
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "DENY"],
  ["Referrer-Policy", "strict-origin-when-cross-origin"],
  ["Permissions-Policy", "geolocation=(), camera=(), microphone=()"],
  ["Access-Control-Allow-Origin", "*"],
  ["Access-Control-Expose-Headers", "ETag, X-Request-Id, X-RateLimit-Remaining"],
  ["X-Request-Id", HEADERS30_READ["x-request-id"]],
  ["X-RateLimit-Limit", "1000"],
  ["X-RateLimit-Remaining", "998"],
  ["X-RateLimit-Reset", "1736850225"],
  ["Alt-Svc", 'h3=":443"; ma=86400'],
  ["Server-Timing", "cdn-cache; desc=HIT, edge; dur=1"],
];
if (HEADERS30_FIELDS.length !== 30) throw new Error("e2e-server: /headers30 must send 30 fields");
const HEADERS30 = response("200 OK", HEADERS30_FIELDS, headers30Body);

const bigBody = filler(CHUNK * CHUNKS, 7);
const chunkedParts: Buffer[] = [];
for (let i = 0; i < CHUNKS; i++) {
  chunkedParts.push(Buffer.from(`${CHUNK.toString(16)}\r\n`, "latin1"), bigBody.subarray(i * CHUNK, (i + 1) * CHUNK));
  chunkedParts.push(Buffer.from("\r\n", "latin1"));
}
chunkedParts.push(Buffer.from("0\r\n\r\n", "latin1"));
const CHUNKED = Buffer.concat([
  Buffer.from(
    `HTTP/1.1 200 OK\r\nDate: ${DATE}\r\nServer: e2e-bench\r\nContent-Type: application/octet-stream\r\n` +
      "Cache-Control: no-store\r\nTransfer-Encoding: chunked\r\n\r\n",
    "latin1",
  ),
  ...chunkedParts,
]);

function uploadBody(received: number): Buffer {
  return Buffer.from(`received ${String(received).padStart(10, "0")}`, "latin1");
}
const uploadCache = new Map<number, Buffer>();
function uploadResponse(received: number): Buffer {
  let r = uploadCache.get(received);
  if (r === undefined) {
    const body = uploadBody(received);
    r = response(
      "200 OK",
      [
        ["Date", DATE],
        ["Server", "e2e-bench"],
        ["Content-Type", "text/plain"],
        ["Content-Length", String(body.length)],
      ],
      body,
    );
    if (uploadCache.size < 64) uploadCache.set(received, r);
  }
  return r;
}

const notFoundBody = Buffer.from("not found", "latin1");
const NOT_FOUND = response("404 Not Found", [["Content-Length", String(notFoundBody.length)]], notFoundBody);
const BAD = Buffer.from("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", "latin1");
const badJsonBody = Buffer.from("expected a JSON body (Content-Type application/json, at least 256 bytes)", "latin1");
const BAD_JSON = response("400 Bad Request", [["Content-Length", String(badJsonBody.length)]], badJsonBody);
const isJsonType = (v: string) => v.toLowerCase().startsWith("application/json");
const CONTINUE = Buffer.from("HTTP/1.1 100 Continue\r\n\r\n", "latin1");

/** One canned answer: body and whole-response lengths and SHA-1 hashes (hex). */
export interface Sent {
  body: number;
  response: number;
  hash: string;
  responseHash: string;
  /** The body as UTF-8 text (the answers clients read as JSON or text). */
  text?: string;
  /** Fields clients read by name: lower-case name → value. */
  headers?: Record<string, string>;
  /** Header fields in the response. */
  fields: number;
}

/** What the bench needs to know to check responses. */
export interface Served {
  port: number;
  small: Sent;
  download: Sent;
  /** The answer to a PUT of `uploadBytes` bytes. */
  upload: Sent;
  postJson: Sent;
  html: Sent;
  headers30: Sent;
}

/** The server's counters, as sent for a `stats` query. */
export interface ServerStats {
  accepted: number;
  open: number;
  peakOpen: number;
  requests: number;
  bytesIn: number;
  /** Connections that answered at least one request since the last `reset`. */
  used: number;
  /** CPU time of the server process so far (user + system), µs. */
  cpuMicros: number;
}

const sha1 = (b: Uint8Array) => createHash("sha1").update(b).digest("hex");

function sent(
  body: Buffer,
  whole: Buffer,
  fields: number,
  read?: { text?: boolean; headers?: Record<string, string> },
): Sent {
  return {
    body: body.length,
    response: whole.length,
    hash: sha1(body),
    responseHash: sha1(whole),
    fields,
    ...(read?.text ? { text: body.toString("utf8") } : {}),
    ...(read?.headers ? { headers: read.headers } : {}),
  };
}

function describe(port: number, uploadBytes: number): Served {
  return {
    port,
    small: sent(smallBody, SMALL, 6, { text: true }),
    download: sent(bigBody, CHUNKED, 5),
    upload: sent(uploadBody(uploadBytes), uploadResponse(uploadBytes), 4),
    postJson: sent(postJsonBody, POST_JSON, 4, { text: true }),
    html: sent(htmlBody, HTML, 5, { text: true }),
    headers30: sent(headers30Body, HEADERS30, 30, { text: true, headers: HEADERS30_READ }),
  };
}

// ---- connections --------------------------------------------------------------------------------

const stats = { accepted: 0, open: 0, peakOpen: 0, requests: 0, bytesIn: 0, used: 0 };
/** Connections that answered a request since the last `reset` are counted once each in `used`. */
let epoch = 1;

enum State {
  Head = 0,
  Fixed = 1, // Content-Length body: `remaining` bytes to skip
  ChunkSize = 2, // a chunk-size line (kept in `line`)
  ChunkData = 3, // `remaining` bytes of chunk data, then CRLF
  ChunkDataEnd = 4, // the CRLF after chunk data (`remaining` = bytes of it still expected)
  Trailers = 5, // trailer lines until an empty one
}

class Conn {
  socket!: Socket;
  state = State.Head;
  /** A partial head or line carried over from the previous read (always a copy). */
  pending: Buffer | undefined;
  remaining = 0;
  received = 0;
  path = "";
  close = false;
  epoch = 0;
  /** The request's Content-Type value ("" when absent). */
  contentType = "";
  /** Copies of the request body's pieces, kept only for `POST /post-json/echo`. */
  collected: Buffer[] | undefined;

  onData(data: Buffer): void {
    stats.bytesIn += data.length;
    let buf = data;
    if (this.pending !== undefined) {
      buf = Buffer.concat([this.pending, data]);
      this.pending = undefined;
    }
    let at = 0;
    const n = buf.length;
    while (at < n) {
      switch (this.state) {
        case State.Head: {
          const end = buf.indexOf("\r\n\r\n", at, "latin1");
          if (end < 0) {
            if (n - at > MAX_HEAD) {
              this.fail();
              return;
            }
            this.pending = Buffer.from(buf.subarray(at)); // a copy: `buf` may be the shared read buffer
            return;
          }
          if (!this.head(buf.toString("latin1", at, end + 2))) {
            this.fail();
            return;
          }
          at = end + 4;
          break;
        }
        case State.Fixed: {
          const take = Math.min(this.remaining, n - at);
          if (this.collected !== undefined) this.collected.push(Buffer.from(buf.subarray(at, at + take)));
          this.remaining -= take;
          this.received += take;
          at += take;
          if (this.remaining === 0) this.respond();
          break;
        }
        case State.ChunkSize: {
          const eol = buf.indexOf("\r\n", at, "latin1");
          if (eol < 0) {
            if (n - at > 4096) {
              this.fail();
              return;
            }
            this.pending = Buffer.from(buf.subarray(at)); // a copy: `buf` may be the shared read buffer
            return;
          }
          const line = buf.toString("latin1", at, eol);
          at = eol + 2;
          const semi = line.indexOf(";");
          const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
          if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) {
            this.fail();
            return;
          }
          const size = Number.parseInt(hex, 16);
          if (size === 0) {
            this.state = State.Trailers;
          } else {
            this.remaining = size;
            this.state = State.ChunkData;
          }
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.remaining, n - at);
          if (this.collected !== undefined) this.collected.push(Buffer.from(buf.subarray(at, at + take)));
          this.remaining -= take;
          this.received += take;
          at += take;
          if (this.remaining === 0) {
            this.remaining = 2;
            this.state = State.ChunkDataEnd;
          }
          break;
        }
        case State.ChunkDataEnd: {
          const expected = this.remaining === 2 ? 13 : 10;
          if (buf[at] !== expected) {
            this.fail();
            return;
          }
          at++;
          if (--this.remaining === 0) this.state = State.ChunkSize;
          break;
        }
        case State.Trailers: {
          const eol = buf.indexOf("\r\n", at, "latin1");
          if (eol < 0) {
            if (n - at > MAX_HEAD) {
              this.fail();
              return;
            }
            this.pending = Buffer.from(buf.subarray(at)); // a copy: `buf` may be the shared read buffer
            return;
          }
          const empty = eol === at;
          at = eol + 2;
          if (empty) this.respond();
          break;
        }
      }
      if (this.socket.destroyed) return;
    }
  }

  /** Reads one request head (up to and including the CRLF of its last field line). */
  head(text: string): boolean {
    const sp1 = text.indexOf(" ");
    const sp2 = text.indexOf(" ", sp1 + 1);
    const eol = text.indexOf("\r\n");
    if (sp1 <= 0 || sp2 <= sp1 || eol <= sp2 || !text.startsWith("HTTP/1.", sp2 + 1)) return false;
    this.path = text.slice(sp1 + 1, sp2);
    this.received = 0;
    this.contentType = "";
    this.collected = this.path === "/post-json/echo" ? [] : undefined;
    this.close = text.startsWith("HTTP/1.0", sp2 + 1);
    let length = -1;
    let chunked = false;
    let expectContinue = false;
    // Field lines: names are case-insensitive; only framing and connection handling matter here.
    let line = eol + 2;
    while (line < text.length) {
      const next = text.indexOf("\r\n", line);
      const colon = text.indexOf(":", line);
      if (next < 0 || colon < 0 || colon > next) return false;
      const name = text.slice(line, colon).toLowerCase();
      if (name === "content-length") {
        const v = text.slice(colon + 1, next).trim();
        if (!/^\d{1,15}$/.test(v) || (length >= 0 && Number(v) !== length)) return false;
        length = Number(v);
      } else if (name === "transfer-encoding") {
        const v = text
          .slice(colon + 1, next)
          .trim()
          .toLowerCase();
        if (v !== "chunked") return false; // no other coding is accepted here
        chunked = true;
      } else if (name === "connection") {
        const v = text.slice(colon + 1, next).toLowerCase();
        if (v.includes("close")) this.close = true;
        else if (v.includes("keep-alive")) this.close = false;
      } else if (name === "content-type") {
        this.contentType = text.slice(colon + 1, next).trim();
      } else if (name === "expect") {
        expectContinue =
          text
            .slice(colon + 1, next)
            .trim()
            .toLowerCase() === "100-continue";
      }
      line = next + 2;
    }
    if (chunked && length >= 0) return false;
    if (expectContinue && (chunked || length > 0)) this.socket.write(CONTINUE);
    if (chunked) {
      this.state = State.ChunkSize;
    } else if (length > 0) {
      this.remaining = length;
      this.state = State.Fixed;
    } else {
      this.respond();
    }
    return true;
  }

  respond(): void {
    stats.requests++;
    if (this.epoch !== epoch) {
      this.epoch = epoch;
      stats.used++;
    }
    this.state = State.Head;
    const p = this.path;
    let out: Buffer;
    if (p === "/small") out = SMALL;
    else if (p === "/chunked-1m") out = CHUNKED;
    else if (p === "/upload") out = uploadResponse(this.received);
    else if (p === "/page.html") out = HTML;
    else if (p === "/headers30") out = HEADERS30;
    else if (p === "/post-json") out = this.received >= 256 && isJsonType(this.contentType) ? POST_JSON : BAD_JSON;
    else if (p === "/post-json/echo") out = this.echo();
    else out = NOT_FOUND;
    if (this.close) this.socket.end(out);
    else this.socket.write(out);
  }

  /** The parsed request body and its Content-Type, as JSON (400 when the body is not JSON). */
  echo(): Buffer {
    const body = Buffer.concat(this.collected ?? []).toString("utf8");
    this.collected = undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return BAD_JSON;
    }
    const out = Buffer.from(JSON.stringify({ contentType: this.contentType, bytes: this.received, body: parsed }));
    return response(
      "200 OK",
      [
        ["Content-Type", "application/json"],
        ["Content-Length", String(out.length)],
      ],
      out,
    );
  }

  fail(): void {
    this.socket.end(BAD);
    this.socket.destroySoon();
  }
}

// ---- main ---------------------------------------------------------------------------------------

/**
 * Every connection reads into this one buffer (Node's `onread` option), up to 1 MiB per read, with
 * no allocation per read: that halves the server's CPU per uploaded byte. One buffer is enough
 * because each read is handed to `onData` synchronously, before the next read.
 */
const READ_BUFFER = Buffer.allocUnsafe(1024 * 1024);

/**
 * Node's server sockets take no `onread` option, so the accepted handle (paused on connect) is
 * moved to a new Socket that has one. Falls back to 'data' events if the handle is not there.
 */
function reader(accepted: Socket, onData: (chunk: Buffer) => void): Socket {
  const handle = (accepted as unknown as { _handle?: unknown })._handle;
  if (handle === undefined || handle === null) {
    accepted.on("data", onData);
    accepted.resume();
    return accepted;
  }
  const socket = new Socket({
    handle,
    onread: { buffer: READ_BUFFER, callback: (n: number, buf: Uint8Array) => onData(buf.subarray(0, n) as Buffer) },
  } as unknown as ConstructorParameters<typeof Socket>[0]);
  socket.resume();
  return socket;
}

function start(uploadBytes: number): void {
  const server = createServer({ noDelay: true, pauseOnConnect: true }, (accepted) => {
    stats.accepted++;
    stats.open++;
    if (stats.open > stats.peakOpen) stats.peakOpen = stats.open;
    const conn = new Conn();
    const socket = reader(accepted, (d) => conn.onData(d));
    conn.socket = socket;
    socket.on("error", () => {});
    socket.on("close", () => {
      stats.open--;
    });
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("e2e-server: no port");
    process.send?.({ type: "listening", served: describe(address.port, uploadBytes) });
  });
  process.on("message", (msg: { type: string }) => {
    if (msg.type === "stats") {
      const cpu = process.cpuUsage();
      process.send?.({ type: "stats", stats: { ...stats, cpuMicros: cpu.user + cpu.system } });
    } else if (msg.type === "reset") {
      stats.peakOpen = stats.open;
      stats.used = 0;
      epoch++;
      process.send?.({ type: "reset" });
    } else if (msg.type === "exit") {
      process.exit(0);
    }
  });
  process.on("disconnect", () => process.exit(0));
}

if (process.send !== undefined && process.argv[1] === fileURLToPath(import.meta.url))
  start(Number(process.env.E2E_UPLOAD_BYTES ?? 1024 * 1024));
