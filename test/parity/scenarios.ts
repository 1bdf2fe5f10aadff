// The parity scenarios, as data (types.ts): each runs through Python requests (driver.py) and
// through reqwire (runner.ts), and parity.test.ts compares the two records. Paths are on httpbin
// unless a template names another address (types.ts). A `differences` entry is a deliberate
// difference: both sides must give exactly the values written there.
import type { Difference, Scenario, Step } from "./types.js";

const ECHO = "/anything";
const get = (url: string, more: Partial<Step> = {}): Step => ({ method: "GET", url, ...more });
const module = (name: string, ...steps: Step[]): Scenario => ({ name, mode: "module", steps });
const session = (name: string, ...steps: Step[]): Scenario => ({ name, mode: "session", steps });
const withDifferences = (scenario: Scenario, ...differences: Difference[]): Scenario => ({
  ...scenario,
  differences,
});

// ---- deliberate differences -------------------------------------------------------------------
// Each reason is a sentence of README's "Differences from requests, on purpose", word for word
// (parity.test.ts checks that README has it).

const STR_BODY_UTF8 =
  'A `str` body (`data: "héllo"`) is sent as UTF-8; requests sends a str body as Latin-1, which ' +
  "cannot even carry characters beyond U+00FF.";
const MID_BODY_TIMEOUT =
  "A read timeout while the body arrives is a `ReadTimeout`; requests raises `ConnectionError` " +
  "there, and `ReadTimeout` only while waiting for the head.";
const URL_CREDENTIALS =
  "Credentials in a URL are used and stripped from `r.url`; requests keeps the URL's " +
  "`user:password` in `r.url`, where logs print them.";
const ITER_CONTENT_SIZE =
  "`iter_content(n)` yields pieces of exactly n bytes of the decoded body, the last one shorter; " +
  "requests reads n bytes from the wire and yields what they decode to, so a compressed body comes " +
  "in pieces larger than n.";
const DIGEST_AUTH_INT =
  "A Digest challenge that offers only `qop=auth-int` (which neither client supports) is left " +
  "unanswered and its 401 returned; requests 2.28 fails there with a `TypeError`.";
const SCHEMELESS_PORT =
  "A URL without a scheme whose host has a port (`127.0.0.1:8080/x`) raises `MissingSchema`; " +
  "requests takes the text before the colon for a scheme and raises `InvalidSchema`.";
const HEADER_NAME =
  "A header name that is not an HTTP token raises `InvalidHeader` before anything is sent; " +
  "requests 2.28 sends it (and the server answers 400).";
const COOKIES_OTHER_HOST =
  "Per-request `cookies` are sent with the request and its redirects only while they stay on the " +
  "request's host; requests sends them to any host a redirect leads to.";
const DIGEST_OTHER_HOST =
  "Digest credentials answer a challenge only on the origin the request started on: a 401 from " +
  "another host that a redirect led to is returned as it is, never answered with a hash of the " +
  "password; requests answers any host's challenge.";
const DIGEST_HISTORY =
  "`r.history` keeps the 401 that a Digest answer followed, after a redirect too; requests drops " +
  "it from `r.history` when a redirect came first.";
const BASIC_UTF8 =
  "Basic credentials (`auth`, a URL's userinfo, `.netrc`, a proxy URL's, the CLI's `-a`) are sent " +
  'as UTF-8 (RFC 7617\'s `charset="UTF-8"`), as curl and browsers send them and as servers with ' +
  "UTF-8 password files check them; requests sends str credentials as Latin-1.";

const LEADING_EMPTY_LINES =
  "Empty lines before a status line are skipped while a response is expected (RFC 9112 §2.2's " +
  "robustness rule, as llhttp does; some servers send one after `100 Continue`); requests " +
  "(http.client) fails there with `ConnectionError`.";

/** Every documented difference's reason, for the README check. */
export const DIFFERENCE_REASONS = [
  STR_BODY_UTF8,
  MID_BODY_TIMEOUT,
  URL_CREDENTIALS,
  ITER_CONTENT_SIZE,
  DIGEST_AUTH_INT,
  SCHEMELESS_PORT,
  HEADER_NAME,
  COOKIES_OTHER_HOST,
  DIGEST_OTHER_HOST,
  DIGEST_HISTORY,
  BASIC_UTF8,
  LEADING_EMPTY_LINES,
];

// ---- verbs and bodies -----------------------------------------------------------------------

const verbs: Scenario[] = [
  module("GET /get", get("/get")),
  session("GET /get in a session", get("/get")),
  session("GET twice in one session", get("/get"), get("/get", { params: { n: "2" } })),
  module("POST form dict", { method: "POST", url: "/post", data: { form: { a: "1", b: "two words", c: "é&=" } } }),
  module("POST form with a list value", { method: "POST", url: "/post", data: { form: { k: ["1", "2"], z: "" } } }),
  module("POST str body (ASCII)", {
    method: "POST",
    url: "/post",
    data: { text: "plain text body" },
    headers: { "Content-Type": "text/plain" },
  }),
  withDifferences(
    module("POST str body with Latin-1 letters", { method: "POST", url: "/post", data: { text: "héllo" } }),
    {
      field: "0.body.json.data",
      reason: STR_BODY_UTF8,
      requests: "data:application/octet-stream;base64,aOlsbG8=",
      reqwire: "héllo",
    },
    { field: "0.body.json.headers.Content-Length", reason: STR_BODY_UTF8, requests: "5", reqwire: "6" },
  ),
  module("POST bytes body", {
    method: "POST",
    url: "/post",
    data: { base64: Buffer.from([0, 1, 2, 250, 251, 255, 10, 13]).toString("base64") },
    headers: { "Content-Type": "application/octet-stream" },
  }),
  module("POST UTF-8 bytes body", {
    method: "POST",
    url: "/post",
    data: { base64: Buffer.from("héllo ☕").toString("base64") },
  }),
  module("POST json", { method: "POST", url: "/post", json: { a: 1, b: [1, 2.5, "x"], c: null, d: "é ☕", e: true } }),
  module("POST json list", { method: "POST", url: "/post", json: [1, "two", { three: 3 }] }),
  module("POST json string", { method: "POST", url: "/post", json: "just a string" }),
  module("POST json with data given too (data wins)", {
    method: "POST",
    url: "/post",
    data: { form: { f: "1" } },
    json: { ignored: true },
  }),
  module("POST nothing", { method: "POST", url: "/post" }),
  module("POST empty form", { method: "POST", url: "/post", data: { form: {} } }),
  module("POST empty str", { method: "POST", url: "/post", data: { text: "" } }),
  module("PUT form", { method: "PUT", url: "/put", data: { form: { key: "value" } } }),
  module("PUT nothing", { method: "PUT", url: "/put" }),
  module("PATCH json", { method: "PATCH", url: "/patch", json: { op: "replace" } }),
  module("DELETE", { method: "DELETE", url: "/delete" }),
  module("DELETE with json", { method: "DELETE", url: "/delete", json: { id: 7 } }),
  module("GET with a body", get(ECHO, { data: { text: "body on a GET" } })),
  module("OPTIONS", { method: "OPTIONS", url: "/get", headers_out: ["Allow", "Content-Length"] }),
  module("HEAD /get", { method: "HEAD", url: "/get", headers_out: ["Content-Type"] }),
  module("TRACE /anything", { method: "TRACE", url: ECHO }),
  module("odd method PROPFIND (405)", { method: "PROPFIND", url: ECHO, headers_out: ["Allow"] }),
  module("lower-case method", { method: "post", url: ECHO, data: { form: { a: "b" } } }),
  module("files: one file", {
    method: "POST",
    url: "/post",
    files: { upload: ["a.txt", "hello file\n", "text/plain"] },
  }),
  module("files: file and form fields", {
    method: "POST",
    url: "/post",
    data: { form: { title: "report", tags: ["a", "b"] } },
    files: { doc: ["report.csv", "x,y\n1,2\n", "text/csv"] },
  }),
  module("files: no content type, two files", {
    method: "POST",
    url: "/post",
    files: { one: ["one.bin", "first"], two: ["two.txt", "second ☕"] },
  }),
  module("custom headers", get("/headers", { headers: { "X-Custom": "v", Accept: "application/json" } })),
  module("custom User-Agent", get("/user-agent", { headers: { "User-Agent": "parity/1.0" } })),
  {
    name: "session headers merged with the request's",
    mode: "session",
    session: { headers: { "X-Session": "s", "X-Both": "session" } },
    steps: [get("/headers", { headers: { "X-Both": "request" } }), get("/headers", { headers: { "X-Session": null } })],
  },
];

// ---- params ---------------------------------------------------------------------------------

const params: Scenario[] = [
  module("params: plain", get("/get", { params: { q: "x", n: 2 } })),
  module("params: list repeats the key", get("/get", { params: { tag: ["a", "b"], one: "1" } })),
  module("params: None is left out", get("/get", { params: { a: null, b: "2" } })),
  module("params: appended to the URL's query", get("/get?existing=1&x=", { params: { more: "2" } })),
  module(
    "params: Unicode and reserved characters",
    get("/get", { params: { q: "café ☕", amp: "a&b=c", sp: "a b+c" } }),
  ),
  module("params: numbers", get("/get", { params: { i: 0, f: 1.5, neg: -3 } })),
  module("params: empty dict leaves the URL alone", get("/get?keep=1", { params: {} })),
  module("params: URL with a fragment", get("/get#frag", { params: { a: "1" } })),
];

// ---- redirects ------------------------------------------------------------------------------

const redirectTo = (status: number, url = "/anything") =>
  `/redirect-to?url=${encodeURIComponent(url)}&status_code=${status}`;

const redirects: Scenario[] = [];
for (const status of [301, 302, 303, 307, 308]) {
  redirects.push(
    module(`${status} after POST form`, {
      method: "POST",
      url: redirectTo(status),
      data: { form: { a: "1" } },
      record: ["history_urls"],
    }),
    module(`${status} after PUT form`, {
      method: "PUT",
      url: redirectTo(status),
      data: { form: { a: "1" } },
      record: ["history_urls"],
    }),
  );
}
redirects.push(
  module("301 after PATCH json", { method: "PATCH", url: redirectTo(301), json: { p: 1 } }),
  module("302 after DELETE with json", { method: "DELETE", url: redirectTo(302), json: { d: 1 } }),
  module("303 after DELETE", { method: "DELETE", url: redirectTo(303) }),
  module("307 after PATCH json", { method: "PATCH", url: redirectTo(307), json: { p: [1, 2] } }),
  module("308 after POST bytes", {
    method: "POST",
    url: redirectTo(308),
    data: { base64: Buffer.from("raw bytes").toString("base64") },
  }),
  module("307 after POST files", {
    method: "POST",
    url: redirectTo(307),
    files: { f: ["f.txt", "file body", "text/plain"] },
  }),
  module("302 after GET", get(redirectTo(302, "/get?after=1"))),
  module("/redirect/3", get("/redirect/3", { record: ["history_urls"] })),
  module("/redirect/2 absolute", get("/redirect/2?absolute=true", { record: ["history_urls"] })),
  module("/relative-redirect/2", get("/relative-redirect/2", { record: ["history_urls"] })),
  module("/absolute-redirect/2", get("/absolute-redirect/2", { record: ["history_urls"] })),
  module("redirect to an absolute URL", get(`/redirect-to?url=${encodeURIComponent("{httpbin}/get?abs=1")}`)),
  module("redirect to a scheme-relative URL", get(`/redirect-to?url=${encodeURIComponent("//{httpbin-host}/get")}`)),
  module("redirect to a relative path without a slash", get("/redirect-to?url=anything/rel")),
  module("redirect Location with a fragment", get(`/redirect-to?url=${encodeURIComponent("/anything#section")}`)),
  module("redirect keeps the first URL's fragment", get(`${redirectTo(302, "/anything/x")}#keep`)),
  module("redirect to a Unicode path", get(`/redirect-to?url=${encodeURIComponent("/anything/café")}`)),
  module("redirect to a 404", get(redirectTo(302, "/status/404"))),
  module("HEAD does not follow", { method: "HEAD", url: "/redirect/1", headers_out: ["Location"] }),
  module("HEAD with allow_redirects", { method: "HEAD", url: "/redirect/2", allow_redirects: true }),
  module(
    "allow_redirects=False",
    get("/redirect/1", { allow_redirects: false, headers_out: ["Location"], record: ["flags"] }),
  ),
  module(
    "allow_redirects=False on a 308",
    get(redirectTo(308), { allow_redirects: false, headers_out: ["Location"], record: ["flags"] }),
  ),
  module("31 redirects is too many", get("/redirect/31")),
  module("30 redirects is not", get("/redirect/30")),
  {
    name: "session max_redirects=2: /redirect/3 is too many",
    mode: "session",
    session: { max_redirects: 2 },
    steps: [get("/redirect/3")],
  },
  {
    name: "session max_redirects=3: /redirect/3 arrives",
    mode: "session",
    session: { max_redirects: 3 },
    steps: [get("/redirect/3")],
  },
  module("redirect to another host", get(`/redirect-to?url=${encodeURIComponent("{aux}/echo")}`)),
);

// ---- cookies --------------------------------------------------------------------------------

const cookies: Scenario[] = [
  session(
    "session: set, read, delete",
    get("/cookies/set", { params: { a: "1", b: "two" }, record: ["session_cookies", "history_urls"] }),
    get("/cookies", { record: ["session_cookies"] }),
    get("/cookies/delete", { params: { a: "" }, record: ["session_cookies"] }),
    get("/cookies", { record: ["session_cookies"] }),
  ),
  session("session: /cookies/set/name/value", get("/cookies/set/name/value"), get("/cookies")),
  session(
    "session: response cookies of a redirect",
    get("/cookies/set", {
      params: { r: "1" },
      allow_redirects: false,
      record: ["response_cookies", "session_cookies"],
    }),
  ),
  module("module: per-request cookies", get("/cookies", { cookies: { c: "3", d: "four" } })),
  session(
    "session: per-request cookies are added, not kept",
    get("/cookies/set", { params: { s: "1" } }),
    get("/cookies", { cookies: { p: "2" } }),
    get("/cookies", { record: ["session_cookies"] }),
  ),
  session(
    "session: a per-request cookie overrides the session's",
    get("/cookies/set", { params: { same: "session" } }),
    get("/cookies", { cookies: { same: "request" } }),
    get("/cookies"),
  ),
  module("module: explicit Cookie header", get("/cookies", { headers: { Cookie: "h=1; i=2" } })),
  module(
    "module: per-request cookies follow a redirect on the same host",
    get(redirectTo(302, "/cookies"), { cookies: { follow: "yes" } }),
  ),
  withDifferences(
    module(
      "module: per-request cookies and a redirect to another host",
      get(`/redirect-to?url=${encodeURIComponent("{aux}/echo")}`, { cookies: { k: "v" } }),
    ),
    { field: "0.body.json.headers.Cookie", reason: COOKIES_OTHER_HOST, requests: "k=v", reqwire: undefined },
  ),
  session(
    "session: a host-only cookie does not go to another host",
    get("/cookies/set", { params: { only: "here" } }),
    get(`/redirect-to?url=${encodeURIComponent("{aux}/echo")}`),
  ),
];

// Module-level calls that set cookies: last, so that while reqwire's module functions share one
// jar (a bug: requests runs each call in a session of its own) only these scenarios show it,
// rather than every later one echoing the cookies.
const moduleCookies: Scenario[] = [
  module("module: cookies set along a redirect chain reach its end", get("/cookies/set", { params: { chain: "1" } })),
  module(
    "module: a cookie set by one call is not in the next",
    get("/cookies/set", { params: { leak: "1" } }),
    get("/cookies"),
  ),
];

// ---- auth -----------------------------------------------------------------------------------

const digest = (algorithm: string, password = "passwd") => ({
  method: "GET",
  url: `/digest-auth/auth/user/passwd/${algorithm}`,
  auth: { digest: ["user", password] as [string, string] },
});

const auth: Scenario[] = [
  module("Basic: right", get("/basic-auth/user/passwd", { auth: { basic: ["user", "passwd"] } })),
  module("Basic: wrong", get("/basic-auth/user/passwd", { auth: { basic: ["user", "wrong"] } })),
  module("Basic: none", get("/basic-auth/user/passwd", { headers_out: ["WWW-Authenticate"] })),
  withDifferences(module("Basic: URL userinfo", get("http://user:passwd@{httpbin-host}/basic-auth/user/passwd")), {
    field: "0.url",
    reason: URL_CREDENTIALS,
    requests: "http://user:passwd@{httpbin-host}/basic-auth/user/passwd",
    reqwire: "{httpbin}/basic-auth/user/passwd",
  }),
  withDifferences(
    module("Basic: percent-encoded URL userinfo", get("http://us%40r:p%3Ass@{httpbin-host}/basic-auth/us@r/p:ss")),
    {
      field: "0.url",
      reason: URL_CREDENTIALS,
      requests: "http://us%40r:p%3Ass@{httpbin-host}/basic-auth/us@r/p:ss",
      reqwire: "{httpbin}/basic-auth/us@r/p:ss",
    },
  ),
  withDifferences(
    module("Basic: URL userinfo, wrong password", get("http://user:nope@{httpbin-host}/basic-auth/user/passwd")),
    {
      field: "0.url",
      reason: URL_CREDENTIALS,
      requests: "http://user:nope@{httpbin-host}/basic-auth/user/passwd",
      reqwire: "{httpbin}/basic-auth/user/passwd",
    },
  ),
  withDifferences(
    module(
      "Basic: auth= wins over URL userinfo",
      get("http://user:nope@{httpbin-host}/basic-auth/user/passwd", { auth: { basic: ["user", "passwd"] } }),
    ),
    {
      field: "0.url",
      reason: URL_CREDENTIALS,
      requests: "http://user:nope@{httpbin-host}/basic-auth/user/passwd",
      reqwire: "{httpbin}/basic-auth/user/passwd",
    },
  ),
  module("Basic: hidden, right", get("/hidden-basic-auth/user/passwd", { auth: { basic: ["user", "passwd"] } })),
  module("Basic: hidden, wrong (404)", get("/hidden-basic-auth/user/passwd", { auth: { basic: ["user", "nope"] } })),
  module("Basic: the header sent", get("/headers", { auth: { basic: ["Aladdin", "open sesame"] } })),
  withDifferences(module("Basic: non-ASCII credentials", get("/headers", { auth: { basic: ["usér", "pässwörd"] } })), {
    field: "0.body.json.headers.Authorization",
    reason: BASIC_UTF8,
    requests: `Basic ${Buffer.from("usér:pässwörd", "latin1").toString("base64")}`,
    reqwire: `Basic ${Buffer.from("usér:pässwörd", "utf8").toString("base64")}`,
  }),
  module("Basic: kept on a same-host redirect", get(redirectTo(302, "/headers"), { auth: { basic: ["u", "p"] } })),
  module(
    "Basic: dropped on a redirect to another host",
    get(`/redirect-to?url=${encodeURIComponent("{aux}/echo")}`, { auth: { basic: ["u", "p"] } }),
  ),
  {
    name: "Basic: session auth",
    mode: "session",
    session: { auth: { basic: ["user", "passwd"] } },
    steps: [get("/basic-auth/user/passwd"), get("/basic-auth/user/passwd", { auth: { basic: ["user", "bad"] } })],
  },
  module("Bearer through headers", get("/bearer", { headers: { Authorization: "Bearer token123" } })),
  module("Bearer missing (401)", get("/bearer", { headers_out: ["WWW-Authenticate"] })),
  module("Digest MD5", digest("MD5")),
  module("Digest SHA-256", digest("SHA-256")),
  module("Digest SHA-512", digest("SHA-512")),
  module("Digest MD5, default route", get("/digest-auth/auth/user/passwd", { auth: { digest: ["user", "passwd"] } })),
  module("Digest: wrong password (401)", digest("MD5", "wrong")),
  module("Digest SHA-256: wrong password (401)", digest("SHA-256", "wrong")),
  withDifferences(
    module(
      "Digest: qop auth-int only (not answered)",
      get("/digest-auth/auth-int/user/passwd/MD5", { auth: { digest: ["user", "passwd"] } }),
    ),
    {
      field: "0",
      reason: DIGEST_AUTH_INT,
      requests: {
        error: { class: "not a requests exception: TypeError: expected string or bytes-like object, got 'NoneType'" },
      },
      reqwire: {
        status: 401,
        reason: "UNAUTHORIZED",
        url: "{httpbin}/digest-auth/auth-int/user/passwd/MD5",
        history: [],
        body: { length: 0, sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
      },
    },
  ),
  session("Digest: two requests in one session", digest("MD5"), digest("MD5")),
  session("Digest SHA-256: two requests in one session", digest("SHA-256"), digest("SHA-256")),
  module("Digest: without auth (401)", get("/digest-auth/auth/user/passwd/MD5")),
  withDifferences(
    module(
      "Digest after a same-host redirect",
      get(redirectTo(302, "/digest-auth/auth/user/passwd/MD5"), { auth: { digest: ["user", "passwd"] } }),
    ),
    { field: "0.history", reason: DIGEST_HISTORY, requests: [302], reqwire: [302, 401] },
  ),
  withDifferences(
    module(
      "Digest: a challenge from another host after a redirect",
      get(`/redirect-to?url=${encodeURIComponent("{aux}/digest")}`, { auth: { digest: ["user", "passwd"] } }),
    ),
    {
      field: "0",
      reason: DIGEST_OTHER_HOST,
      requests: {
        status: 200,
        reason: "OK",
        url: "{aux}/digest",
        history: [302],
        body: { json: { digest_answered: true } },
      },
      reqwire: {
        status: 401,
        reason: "UNAUTHORIZED",
        url: "{aux}/digest",
        history: [302],
        body: { json: { digest_answered: false } },
      },
    },
  ),
];

// ---- content codings and text ---------------------------------------------------------------

const content: Scenario[] = [
  module("gzip", get("/gzip", { headers_out: ["Content-Encoding"] })),
  module("deflate", get("/deflate", { headers_out: ["Content-Encoding"] })),
  module("brotli", get("/brotli", { headers_out: ["Content-Encoding"] })),
  withDifferences(module("gzip, streamed", get("/gzip", { read: { iter_content: 100 } })), {
    field: "0.stream.chunks_within_size",
    reason: ITER_CONTENT_SIZE,
    requests: false,
    reqwire: true,
  }),
  module("/encoding/utf8", get("/encoding/utf8", { record: ["encoding", "text"] })),
  module(
    "/encoding/utf8 read as ISO-8859-1",
    get("/encoding/utf8", { encoding: "ISO-8859-1", record: ["encoding", "text"] }),
  ),
  module("/html", get("/html", { record: ["encoding", "text"] })),
  module("/robots.txt: text/plain without charset", get("/robots.txt", { record: ["encoding", "text"] })),
  module("/xml: no charset", get("/xml", { headers_out: ["Content-Type"] })),
  module("/json", get("/json", { record: ["encoding"] })),
  module("/base64", get("/base64/SGVsbG8gd29ybGQg4piV", { record: ["encoding", "text"] })),
  module(
    "Content-Type with a charset from /response-headers",
    get("/response-headers", { params: { "Content-Type": "text/plain; charset=utf-8" }, record: ["encoding", "text"] }),
  ),
  module("/bytes with a seed", get("/bytes/1024", { params: { seed: 7 } })),
  module("/image/png", get("/image/png", { headers_out: ["Content-Type"] })),
  module("JSON decode error on HTML", get("/html", { record: ["json"] })),
  module("JSON decode error on an empty 204", get("/status/204", { record: ["json"] })),
  module("JSON from a text/plain body", get("/base64/eyJhIjogMX0=", { record: ["json"] })),
];

// ---- streaming ------------------------------------------------------------------------------

const streaming: Scenario[] = [
  module("/stream/5 iter_lines", get("/stream/5", { read: { iter_lines: true } })),
  module(
    "/stream-bytes iter_content(1000)",
    get("/stream-bytes/3000", { params: { seed: 4, chunk_size: 512 }, read: { iter_content: 1000 } }),
  ),
  session("/stream/3 iter_lines in a session", get("/stream/3", { read: { iter_lines: true } })),
  module(
    "/stream-bytes iter_content(256)",
    get("/stream-bytes/2000", { params: { seed: 1, chunk_size: 100 }, read: { iter_content: 256 } }),
  ),
  module("/stream-bytes iter_content(1)", get("/stream-bytes/64", { params: { seed: 2 }, read: { iter_content: 1 } })),
  module(
    "/drip iter_content(3)",
    get("/drip", { params: { numbytes: 10, duration: 0.3, delay: 0 }, read: { iter_content: 3 } }),
  ),
  module("/range/100 iter_content(10)", get("/range/100", { read: { iter_content: 10 } })),
  module("/encoding/utf8 iter_lines", get("/encoding/utf8", { read: { iter_lines: true } })),
  module("stream=True then content", get("/bytes/3000", { params: { seed: 3 }, stream: true })),
  session(
    "stream=True in a session, then another request",
    get("/stream/2", { read: { iter_lines: true } }),
    get("/get"),
  ),
];

// ---- ranges, status codes, conditional requests ----------------------------------------------

const statuses: Scenario[] = [
  module(
    "Range: first 100 bytes",
    get("/range/1024", {
      headers: { Range: "bytes=0-99" },
      headers_out: ["Content-Range", "Content-Length", "Accept-Ranges"],
    }),
  ),
  module("Range: suffix", get("/range/1024", { headers: { Range: "bytes=-10" }, headers_out: ["Content-Range"] })),
  module(
    "Range: not satisfiable (416)",
    get("/range/1024", { headers: { Range: "bytes=2000-" }, headers_out: ["Content-Range"] }),
  ),
  module("Range: none (200)", get("/range/64", { headers_out: ["Content-Range", "Accept-Ranges"] })),
  module("418", get("/status/418", { record: ["raise", "flags"] })),
  module("500", get("/status/500", { record: ["raise"] })),
  module("503", get("/status/503", { record: ["raise"] })),
  module("404", get("/status/404", { record: ["raise"] })),
  module("401", get("/status/401", { record: ["raise"] })),
  module("204", get("/status/204", { record: ["raise", "flags"] })),
  module("201 after POST", { method: "POST", url: "/status/201", record: ["raise"] }),
  module("304", get("/status/304", { record: ["raise"] })),
  module("an unknown status (599)", get("/status/599", { record: ["raise"] })),
  module("200 raise_for_status", get("/get", { record: ["raise"] })),
  module(
    "302 from /status without following",
    get("/status/302", { allow_redirects: false, record: ["raise", "flags"] }),
  ),
  module("ETag: no condition", get("/etag/abc", { headers_out: ["ETag"] })),
  module(
    "ETag: If-None-Match matches (304)",
    get("/etag/abc", { headers: { "If-None-Match": '"abc"' }, headers_out: ["ETag"] }),
  ),
  module("ETag: If-None-Match differs (200)", get("/etag/abc", { headers: { "If-None-Match": '"xyz"' } })),
  module("ETag: If-Match differs (412)", get("/etag/abc", { headers: { "If-Match": '"xyz"' } })),
  module("ETag: If-Match matches (200)", get("/etag/abc", { headers: { "If-Match": '"abc"' } })),
  module(
    "/cache with If-Modified-Since (304)",
    get("/cache", { headers: { "If-Modified-Since": "Mon, 07 Dec 2026 00:00:00 GMT" } }),
  ),
  module("/cache/60: Cache-Control", get("/cache/60", { headers_out: ["Cache-Control"] })),
  module(
    "response headers by name, repeated and any case",
    get("/response-headers", {
      params: { "X-One": "1", "X-Two": ["a", "b"] },
      headers_out: ["x-one", "X-TWO", "content-TYPE", "X-Missing"],
    }),
  ),
];

// ---- timeouts and connection failures --------------------------------------------------------

const timeouts: Scenario[] = [
  module("read timeout waiting for the head", get("/delay/3", { timeout: 0.5 })),
  module("read timeout as [connect, read]", get("/delay/3", { timeout: [5, 0.5] })),
  session("read timeout in a session, then the session still works", get("/delay/3", { timeout: 0.5 }), get("/get")),
  module("no timeout reached", get("/delay/1", { timeout: 5 })),
  withDifferences(
    module(
      "read timeout mid-body (buffered)",
      get("/drip", { params: { numbytes: 3, duration: 3, delay: 0 }, timeout: 0.5 }),
    ),
    { field: "0.error.class", reason: MID_BODY_TIMEOUT, requests: "ConnectionError", reqwire: "ReadTimeout" },
  ),
  withDifferences(
    module(
      "read timeout mid-body (streamed)",
      get("/drip", { params: { numbytes: 3, duration: 3, delay: 0 }, timeout: 0.5, read: { iter_content: 1 } }),
    ),
    { field: "0.error.class", reason: MID_BODY_TIMEOUT, requests: "ConnectionError", reqwire: "ReadTimeout" },
  ),
  module("connect timeout", get("{silent}/get", { timeout: 0.3 })),
  module("connect timeout as [connect, read]", get("{silent}/get", { timeout: [0.3, 5] })),
  module("connection refused", get("{refused}/get", { timeout: 2 })),
];

// ---- URLs -----------------------------------------------------------------------------------

const urls: Scenario[] = [
  module("Unicode path", get("/anything/café/☕")),
  module("Unicode query in the URL", get("/anything?q=café&r=☕")),
  module("spaces in path and query", get("/anything/a b?x=y z")),
  module("percent-encoded path kept", get("/anything/%7Efoo/a%2Fb/%E2%98%95")),
  module("repeated and empty query keys", get("/anything?a=1&a=2&b=&c")),
  module("semicolon and reserved characters in the path", get("/anything/p;x=1/@:$!'()*,")),
  module("a fragment is not sent", get("/anything/f#frag")),
  module("upper-case scheme", get("HTTP://{httpbin-host}/get")),
  module("dot segments", get("/anything/a/../b/./c")),
  module("missing schema", get("127.0.0.1/get")),
  withDifferences(module("missing schema with a port", get("{httpbin-host}/get")), {
    field: "0.error.class",
    reason: SCHEMELESS_PORT,
    requests: "InvalidSchema",
    reqwire: "MissingSchema",
  }),
  module("invalid schema", get("ftp://127.0.0.1/file")),
  module("no host", get("http://")),
  module("port out of range", get("http://127.0.0.1:99999/")),
  module("unclosed IPv6 bracket", get("http://[::1/get")),
  module("header value with CR LF", get("/headers", { headers: { "X-Bad": "a\r\nInjected: 1" } })),
  module("header value with leading space", get("/headers", { headers: { "X-Lead": " padded" } })),
  withDifferences(module("header name with a space", get("/headers", { headers: { "X Bad": "v" } })), {
    field: "0",
    reason: HEADER_NAME,
    requests: {
      status: 400,
      reason: "Bad Request",
      url: "{httpbin}/headers",
      history: [],
      body: { length: 164, sha256: "3d38aeefd34ea2e34561d794e65b4a3f05fd09ab3e8b097c65028b1aa9e1d90d" },
    },
    reqwire: { error: { class: "InvalidHeader" } },
  }),
];

// ---- a second server, for what httpbin cannot do ----------------------------------------------

const aux: Scenario[] = [
  withDifferences(module("empty lines before the status line", get("{aux}/leading-crlf")), {
    field: "0",
    reason: LEADING_EMPTY_LINES,
    requests: { error: { class: "ConnectionError" } },
    reqwire: {
      status: 200,
      reason: "OK",
      url: "{aux}/leading-crlf",
      history: [],
      body: { length: 17, sha256: "16cebe2598869ff8132d11fbcf2f0de87cbdee565d88a9c8cf4105bae7716a45" },
    },
  }),
  module("a reason phrase with obs-text", get("{aux}/latin1-reason")),
];

/** Every scenario, in the order both clients run them (the order matters only for moduleCookies). */
export const scenarios: Scenario[] = [
  ...verbs,
  ...params,
  ...redirects,
  ...content,
  ...streaming,
  ...statuses,
  ...timeouts,
  ...urls,
  ...aux,
  ...cookies,
  ...auth,
  ...moduleCookies,
];
