// The `reqwire` command, run as a subprocess against servers on 127.0.0.1: request items,
// options, what is printed (stdout, stderr), exit statuses, downloads, and — on a
// pseudo-terminal — colours and the progress bar.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCA, makeServerCert } from "../support/certs.js";
import {
  ANSI_COLOR,
  closedPort,
  hasScript,
  httpServer,
  httpsServer,
  multipartParts,
  reqwire,
  reqwireOnTty,
  stripColors,
  type TestServer,
  visible,
} from "./helpers.js";

const PIECE = 64 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/** The bytes /files/* serves: `pieces` pieces of 64 KiB, byte i of the file is i mod 251. */
function fileBytes(pieces: number): Buffer {
  return Buffer.from(Array.from({ length: pieces * PIECE }, (_, i) => i % 251));
}

let server: TestServer;
let dir: string;
const tmp = () => mkdtempSync(join(dir, "t-"));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "reqwire-cli-"));
  server = await httpServer(async (req, res, body) => {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    if (path === "/echo" || path === "/echo/") {
      sendJson(res, 200, { method: req.method, url: req.url, headers: req.headers, body: body.toString("utf8") });
    } else if (path.startsWith("/status/")) {
      const code = Number(path.slice(8));
      res.writeHead(code, { "Content-Type": "text/plain" });
      res.end(`status ${code}\n`);
    } else if (path.startsWith("/redirect/")) {
      const n = Number(path.slice(10));
      res.writeHead(302, { Location: n > 1 ? `/redirect/${n - 1}` : "/echo" });
      res.end();
    } else if (path === "/stall") {
      // never answers
    } else if (path.startsWith("/files/") || path === "/files") {
      const pieces = Number(url.searchParams.get("pieces") ?? "4");
      const data = fileBytes(pieces);
      const headers: Record<string, string | number> = { "Content-Type": "application/octet-stream" };
      if (url.searchParams.get("length") !== "no") headers["Content-Length"] = data.length;
      const cd = url.searchParams.get("cd");
      if (cd !== null) headers["Content-Disposition"] = cd;
      res.writeHead(200, headers);
      const pause = Number(url.searchParams.get("pause") ?? "0");
      for (let i = 0; i < pieces; i++) {
        res.write(data.subarray(i * PIECE, (i + 1) * PIECE));
        if (pause > 0) await sleep(pause);
      }
      res.end();
    } else if (path === "/json") {
      const text = '{"id":12345678901234567890,"f":1.0,"s":"x\\"y","a":[],"o":{},"n":null,"l":[true,false]}';
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(text);
    } else if (path === "/binary") {
      res.writeHead(200, { "Content-Type": "application/octet-stream" });
      res.end(Buffer.from([0, 1, 2, 255, 0, 10]));
    } else if (path === "/cookies") {
      res.writeHead(200, [
        ["Set-Cookie", "a=1"],
        ["Set-Cookie", "b=2"],
        ["Content-Type", "text/plain"],
      ]);
      res.end("ok\n");
    } else {
      res.writeHead(404);
      res.end();
    }
  });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function lastSeen() {
  const s = server.seen.at(-1);
  if (s === undefined) throw new Error("no request reached the server");
  return s;
}

function header(pairs: Array<[string, string]>, name: string): string[] {
  return pairs.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
}

/** The one line a failure prints. */
const ERROR_LINE = /^reqwire: error: [A-Za-z]+: [^\n]+\n$/;

describe("request items", () => {
  it("key=value and key:=json make a JSON body, POST by default, Accept for JSON", async () => {
    const r = await reqwire([
      `${server.url}/echo`,
      "name=Ada",
      "age:=36",
      'tags:=[1,"x"]',
      'meta:={"ok":true,"n":null}',
      'quote=a "b" c',
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const seen = lastSeen();
    expect(seen.method).toBe("POST");
    expect(seen.headers["content-type"]).toBe("application/json");
    expect(seen.headers.accept).toBe("application/json, */*;q=0.5");
    expect(JSON.parse(seen.body.toString())).toEqual({
      name: "Ada",
      age: 36,
      tags: [1, "x"],
      meta: { ok: true, n: null },
      quote: 'a "b" c',
    });
    // piped: the body exactly as received, nothing else
    expect(JSON.parse(r.stdout).method).toBe("POST");
  });

  it("a repeated JSON key makes an array; backslash escapes a separator in a key", async () => {
    const r = await reqwire([`${server.url}/echo`, "a=1", "a=2", "a:=3", "x\\:y=z", "p\\=q=r"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(lastSeen().body.toString())).toEqual({ a: ["1", "2", 3], "x:y": "z", "p=q": "r" });
  });

  it("GET without data items; the method may be given, in any case", async () => {
    let r = await reqwire([`${server.url}/echo`]);
    expect(r.code).toBe(0);
    expect(lastSeen().method).toBe("GET");
    expect(lastSeen().body.length).toBe(0);
    r = await reqwire(["put", `${server.url}/echo`, "k=v"]);
    expect(r.code).toBe(0);
    expect(lastSeen().method).toBe("PUT");
    r = await reqwire(["DELETE", `${server.url}/echo`]);
    expect(lastSeen().method).toBe("DELETE");
    r = await reqwire(["PURGE", `${server.url}/echo`]);
    expect(lastSeen().method).toBe("PURGE");
  });

  it("Header:value sends a header, Header; an empty one, Header: removes a default one", async () => {
    const r = await reqwire([
      `${server.url}/echo`,
      "X-Custom:hello world",
      "X-Empty;",
      "Accept-Encoding:",
      "User-Agent:my-agent/1",
      "X-Twice:a",
      "X-Twice:b",
    ]);
    expect(r.code).toBe(0);
    const raw = lastSeen().rawHeaders;
    expect(header(raw, "x-custom")).toEqual(["hello world"]);
    expect(header(raw, "x-empty")).toEqual([""]);
    expect(header(raw, "accept-encoding")).toEqual([]);
    expect(header(raw, "user-agent")).toEqual(["my-agent/1"]);
    expect(header(raw, "x-twice")).toEqual(["a, b"]);
    expect(header(raw, "accept")).toEqual(["*/*"]);
  });

  it("name==value adds query parameters, after the URL's own", async () => {
    const r = await reqwire([`${server.url}/echo?keep=1`, "q==a b", "q==c&d", "empty=="]);
    expect(r.code).toBe(0);
    const seen = lastSeen();
    expect(seen.method).toBe("GET");
    expect(seen.url).toBe("/echo?keep=1&q=a+b&q=c%26d&empty=");
  });

  it("field@file uploads files as multipart/form-data, with the text fields", async () => {
    const d = tmp();
    writeFileSync(join(d, "notes.txt"), "hello file\n");
    writeFileSync(join(d, "data.bin"), Buffer.from([0, 1, 2, 3, 255]));
    const r = await reqwire([
      `${server.url}/echo`,
      `doc@${join(d, "notes.txt")}`,
      `blob@${join(d, "data.bin")};type=application/x-custom`,
      "title=Report",
    ]);
    expect(r.code).toBe(0);
    const seen = lastSeen();
    expect(seen.method).toBe("POST");
    const parts = multipartParts(seen.body, seen.headers["content-type"]);
    expect(parts.map((p) => p.headers["content-disposition"])).toEqual([
      'form-data; name="title"',
      'form-data; name="doc"; filename="notes.txt"',
      'form-data; name="blob"; filename="data.bin"',
    ]);
    expect(parts[0]?.content.toString()).toBe("Report");
    expect(parts[1]?.headers["content-type"]).toBe("text/plain");
    expect(parts[1]?.content.toString()).toBe("hello file\n");
    expect(parts[2]?.headers["content-type"]).toBe("application/x-custom");
    expect([...(parts[2]?.content ?? [])]).toEqual([0, 1, 2, 3, 255]);
  });

  it("--form sends fields urlencoded; raw JSON fields cannot go in a form", async () => {
    let r = await reqwire(["--form", `${server.url}/echo`, "a=1", "b=x y", "a=2"]);
    expect(r.code).toBe(0);
    expect(lastSeen().headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(lastSeen().body.toString()).toBe("a=1&b=x+y&a=2");
    const before = server.seen.length;
    r = await reqwire(["-f", `${server.url}/echo`, "n:=1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/raw JSON field "n"/);
    expect(server.seen.length).toBe(before);
  });

  it("key=@file and key:=@file read a field from a file", async () => {
    const d = tmp();
    writeFileSync(join(d, "text.txt"), "from a file");
    writeFileSync(join(d, "value.json"), '{"deep": [1, 2]}');
    const r = await reqwire([`${server.url}/echo`, `t=@${join(d, "text.txt")}`, `j:=@${join(d, "value.json")}`]);
    expect(r.code).toBe(0);
    expect(JSON.parse(lastSeen().body.toString())).toEqual({ t: "from a file", j: { deep: [1, 2] } });
  });

  it("bad items are usage errors (exit 2) and nothing is sent", async () => {
    const before = server.seen.length;
    for (const item of ["novalue", "n:=nope", "@nofield", "f@/nonexistent/file"]) {
      const r = await reqwire([`${server.url}/echo`, item]);
      expect(r.code, item).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^usage: reqwire .*\nreqwire: error: .+\n$/);
    }
    expect(server.seen.length).toBe(before);
  });
});

describe("options", () => {
  it("-a USER:PASS sends Basic auth; --bearer a token; not both", async () => {
    let r = await reqwire(["-a", "ada:s3cret:x", `${server.url}/echo`]);
    expect(r.code).toBe(0);
    expect(lastSeen().headers.authorization).toBe(`Basic ${Buffer.from("ada:s3cret:x").toString("base64")}`);
    r = await reqwire([`${server.url}/echo`, "--auth=bob"]);
    expect(lastSeen().headers.authorization).toBe(`Basic ${Buffer.from("bob:").toString("base64")}`);
    r = await reqwire(["-a", "usér:päss", `${server.url}/echo`]);
    expect(lastSeen().headers.authorization).toBe("Basic dXPDqXI6cMOkc3M="); // UTF-8, not Latin-1
    r = await reqwire(["--bearer", "tok.en-1", `${server.url}/echo`]);
    expect(r.code).toBe(0);
    expect(lastSeen().headers.authorization).toBe("Bearer tok.en-1");
    r = await reqwire(["--bearer", "t", "-a", "u:p", `${server.url}/echo`]);
    expect(r.code).toBe(2);
  });

  it("--timeout: a server that stalls gives a one-line ReadTimeout, exit 1", async () => {
    const r = await reqwire(["--timeout", "0.5", `${server.url}/stall`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(ERROR_LINE);
    expect(r.stderr).toMatch(/^reqwire: error: ReadTimeout: /);
    const bad = await reqwire(["--timeout", "soon", `${server.url}/echo`]);
    expect(bad.code).toBe(2);
  });

  it("redirects are not followed by default (exit 0); --follow follows; --max-redirects limits (exit 3)", async () => {
    let before = server.seen.length;
    let r = await reqwire(["-h", `${server.url}/redirect/2`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 302 Found\nLocation: \/redirect\/1\n/);
    expect(server.seen.length - before).toBe(1);

    before = server.seen.length;
    r = await reqwire(["--follow", `${server.url}/redirect/3`]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).url).toBe("/echo");
    expect(server.seen.length - before).toBe(4);

    r = await reqwire(["-F", "--max-redirects", "2", `${server.url}/redirect/3`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(ERROR_LINE);
    expect(r.stderr).toMatch(/^reqwire: error: TooManyRedirects: /);

    r = await reqwire(["-F", "--max-redirects=3", `${server.url}/redirect/3`]);
    expect(r.code).toBe(0);
  });

  describe("TLS", () => {
    let tls: TestServer;
    let caFile: string;
    beforeAll(async () => {
      const ca = makeCA();
      const cert = makeServerCert(ca, { hosts: ["127.0.0.1"] });
      caFile = join(tmp(), "ca.pem");
      writeFileSync(caFile, ca.cert);
      tls = await httpsServer(cert, (_req, res) => sendJson(res, 200, { secure: true }));
    });
    afterAll(() => tls.close());

    it("an untrusted certificate is a one-line SSLError, exit 1", async () => {
      const r = await reqwire([tls.url]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(ERROR_LINE);
      expect(r.stderr).toMatch(/^reqwire: error: SSLError: .*--verify/);
    });

    it("--verify=CA trusts that CA; --no-verify and --verify=no skip the checks", async () => {
      for (const args of [[`--verify=${caFile}`], ["--no-verify"], ["--verify=no"]]) {
        const r = await reqwire([...args, tls.url]);
        expect(r.stderr, args.join(" ")).toBe("");
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toEqual({ secure: true });
      }
      const r = await reqwire(["--no-verify", "--verify=yes", tls.url]);
      expect(r.code).toBe(1);
    });

    it("--verify with a file that does not exist is a usage error", async () => {
      const r = await reqwire(["--verify=/nonexistent/ca.pem", tls.url]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/CA file/);
    });
  });
});

describe("--print and output", () => {
  it("piped, the default is the body alone, byte for byte", async () => {
    const r = await reqwire([`${server.url}/binary`]);
    expect(r.code).toBe(0);
    expect([...r.out]).toEqual([0, 1, 2, 255, 0, 10]);
    expect(r.stderr).toBe("");
  });

  it("-v shows the request headers and body, then the response headers and body", async () => {
    const r = await reqwire(["-v", `${server.url}/echo`, "a=1"]);
    expect(r.code).toBe(0);
    const [requestHead, requestBody, responseHead, responseBody, ...rest] = r.stdout.split("\n\n");
    expect(rest).toEqual([]);
    expect(requestHead).toMatch(
      new RegExp(`^POST /echo HTTP/1\\.1\\nHost: 127\\.0\\.0\\.1:${server.port}\\nUser-Agent: reqwire/`),
    );
    expect(requestHead).toMatch(/\nContent-Type: application\/json\nContent-Length: 10$/);
    expect(requestBody).toBe('{"a": "1"}');
    expect(responseHead).toMatch(/^HTTP\/1\.1 200 OK\nContent-Type: application\/json\n/);
    expect(JSON.parse(responseBody as string).body).toBe('{"a": "1"}');
  });

  it("--print picks the parts: H, B, h, b", async () => {
    let r = await reqwire(["--print=H", `${server.url}/echo`, "a=1"]);
    expect(r.stdout).toMatch(/^POST \/echo HTTP\/1\.1\n(?:[A-Za-z-]+: .*\n)+$/);
    r = await reqwire(["-p", "B", `${server.url}/echo`, "a=1"]);
    expect(r.stdout).toBe('{"a": "1"}');
    r = await reqwire(["-p", "hb", `${server.url}/cookies`]);
    // a repeated field on a line of its own, each time
    expect(r.stdout).toMatch(
      /^HTTP\/1\.1 200 OK\nSet-Cookie: a=1\nSet-Cookie: b=2\nContent-Type: text\/plain\n.*\n\nok\n$/s,
    );
    r = await reqwire(["-h", `${server.url}/echo`]);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 200 OK\n(?:[A-Za-z-]+: .*\n)+$/);
    r = await reqwire(["-b", `${server.url}/status/200`]);
    expect(r.stdout).toBe("status 200\n");
    r = await reqwire(["--print=Hx", `${server.url}/echo`]);
    expect(r.code).toBe(2);
  });

  it("piped output has no colours; --pretty=all adds them and indents JSON by 4, keeping the numbers", async () => {
    let r = await reqwire([`${server.url}/json`]);
    expect(r.stdout).not.toMatch(ANSI_COLOR);
    expect(r.stdout).toBe('{"id":12345678901234567890,"f":1.0,"s":"x\\"y","a":[],"o":{},"n":null,"l":[true,false]}');
    r = await reqwire(["--pretty=format", `${server.url}/json`]);
    expect(r.stdout).toBe(
      '{\n    "id": 12345678901234567890,\n    "f": 1.0,\n    "s": "x\\"y",\n    "a": [],\n    "o": {},\n    "n": null,\n    "l": [\n        true,\n        false\n    ]\n}\n',
    );
    r = await reqwire(["--pretty=all", `${server.url}/json`]);
    expect(r.stdout).toMatch(ANSI_COLOR);
    expect(stripColors(r.stdout)).toMatch(/^\{\n {4}"id": 12345678901234567890,\n/);
  });

  it("-o FILE writes the output to a file", async () => {
    const file = join(tmp(), "out.json");
    const r = await reqwire(["-o", file, `${server.url}/echo`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(JSON.parse(readFileSync(file, "utf8")).method).toBe("GET");
  });

  it("--offline prints the request (H and B) and sends nothing", async () => {
    const seen = server.seen.length;
    const connections = server.connections();
    let r = await reqwire(["--offline", `${server.url}/echo`, "a=1", "X-Hi:there", "q==1"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(new RegExp(`^POST /echo\\?q=1 HTTP/1\\.1\\nHost: 127\\.0\\.0\\.1:${server.port}\\n`));
    expect(r.stdout).toMatch(/\nX-Hi: there\n/);
    expect(r.stdout).toMatch(/\nContent-Length: 10\n\n\{"a": "1"\}$/);
    r = await reqwire(["--offline", "-f", "-p", "B", `${server.url}/echo`, "a=1", "b=2"]);
    expect(r.stdout).toBe("a=1&b=2");
    r = await reqwire(["--offline", "-a", "u:p", "PATCH", "example.invalid/x"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PATCH \/x HTTP\/1\.1\nHost: example\.invalid\n/);
    expect(r.stdout).toMatch(/\nAuthorization: Basic dTpw\n/);
    expect(server.seen.length).toBe(seen);
    expect(server.connections()).toBe(connections);
  });
});

describe("exit status", () => {
  it("0 for 2xx and 3xx, 4 for 4xx, 5 for 5xx (with a warning when piped)", async () => {
    const cases = [
      [200, 0],
      [204, 0],
      [304, 0],
      [400, 4],
      [404, 4],
      [418, 4],
      [500, 5],
      [503, 5],
    ] as const;
    const runs = await Promise.all(cases.map(([status]) => reqwire([`${server.url}/status/${status}`])));
    cases.forEach(([status, code], i) => {
      const r = runs[i] as Awaited<ReturnType<typeof reqwire>>;
      expect(r.code, `HTTP ${status}`).toBe(code);
      if (status >= 400) expect(r.stderr).toMatch(new RegExp(`^reqwire: warning: HTTP ${status} `));
      else expect(r.stderr).toBe("");
    });
  });

  it("2 for usage errors", async () => {
    for (const args of [
      [],
      ["--nope", server.url],
      ["-o"],
      ["--pretty=loud", server.url],
      ["--timeout=0", server.url],
    ]) {
      const r = await reqwire(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^usage: reqwire /);
    }
    const r = await reqwire(["http://[nope/"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^reqwire: error: InvalidURL: /);
  });

  it("1 with one line naming ConnectionError when the connection is refused", async () => {
    const port = await closedPort();
    const r = await reqwire([`http://127.0.0.1:${port}/`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(ERROR_LINE);
    expect(r.stderr).toMatch(/^reqwire: error: ConnectionError: .*ECONNREFUSED/);
  });

  it("--help and --version exit 0", async () => {
    let r = await reqwire(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: reqwire \[OPTIONS\] \[METHOD\] URL \[ITEM \.\.\.\]\n/);
    expect(r.stdout).toMatch(/\nExit status:\n/);
    r = await reqwire(["-h"]);
    expect(r.stdout).toMatch(/^usage: /);
    r = await reqwire(["--version"]);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe("--download", () => {
  it("-o FILE: the body saved, headers and plain progress lines on stderr (piped)", async () => {
    const d = tmp();
    const r = await reqwire(["--download", "-o", "saved.bin", `${server.url}/files/x?pieces=6`], { cwd: d });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(readFileSync(join(d, "saved.bin")).equals(fileBytes(6))).toBe(true);
    expect(r.stderr).toMatch(/^HTTP\/1\.1 200 OK\n/);
    expect(r.stderr).toMatch(/\nDownloading 384\.00 kB to "saved\.bin"\n/);
    expect(r.stderr).toMatch(/\nDone: 384\.00 kB in [\d.:]+ s? ?\([\d.]+ [kMG]?B\/s\), saved to "saved\.bin"\n$/);
    expect(r.stderr).not.toMatch(/\r/);
    expect(visible(r.stderr)).not.toMatch(/⎋/);
    // the body was asked for as is, so its size is the Content-Length
    expect(lastSeen().headers["accept-encoding"]).toBe("identity");
  });

  it("names the file after the URL, never overwriting (name-1, name-2)", async () => {
    const d = tmp();
    for (let i = 0; i < 3; i++) {
      const r = await reqwire(["-d", `${server.url}/files/report.tar.gz?pieces=1`], { cwd: d });
      expect(r.code).toBe(0);
    }
    expect(readdirSync(d).sort()).toEqual(["report-1.tar.gz", "report-2.tar.gz", "report.tar.gz"]);
    for (const name of readdirSync(d)) expect(readFileSync(join(d, name)).equals(fileBytes(1))).toBe(true);
  });

  it("prefers Content-Disposition's name, made safe", async () => {
    const d = tmp();
    const cd = encodeURIComponent(
      `attachment; filename="../../etc/evil.txt"; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9.txt`,
    );
    let r = await reqwire(["-d", `${server.url}/files/ignored.bin?pieces=1&cd=${cd}`], { cwd: d });
    expect(r.code).toBe(0);
    const plain = encodeURIComponent('attachment; filename="../../etc/evil.txt"');
    r = await reqwire(["-d", `${server.url}/files/ignored.bin?pieces=1&cd=${plain}`], { cwd: d });
    expect(r.code).toBe(0);
    expect(readdirSync(d).sort()).toEqual(["evil.txt", "naïve résumé.txt"]);
  });

  it("a response that is not 2xx saves nothing", async () => {
    const d = tmp();
    const r = await reqwire(["-d", `${server.url}/status/404`], { cwd: d });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/reqwire: warning: HTTP 404 Not Found: nothing was saved/);
    expect(readdirSync(d)).toEqual([]);
  });

  it("Ctrl-C stops it with status 130, naming the incomplete file", async () => {
    const d = tmp();
    const r = await reqwire(["-d", `${server.url}/files/long.bin?pieces=100&pause=100`], {
      cwd: d,
      interruptWhen: (stderr) => stderr.includes("Downloading"),
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/\nreqwire: error: interrupted \(incomplete download left in "long\.bin"\)\n$/);
    expect(readdirSync(d)).toEqual(["long.bin"]);
  });

  it("without a Content-Length: bytes and rate, no percentage", async () => {
    const d = tmp();
    const r = await reqwire(["-d", "-p", "", `${server.url}/files/nolen?pieces=2&length=no`], { cwd: d });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Downloading to "nolen"\n/);
    expect(r.stderr).not.toMatch(/%/);
    expect(readFileSync(join(d, "nolen")).equals(fileBytes(2))).toBe(true);
  });
});

describe("on a terminal (util-linux script)", () => {
  it("has util-linux script for a pseudo-terminal (.ci/run installs bsdutils when it is missing)", () => {
    expect(hasScript()).toBe(true);
  });

  it("colours and JSON indented by 4, by default", async () => {
    const r = await reqwireOnTty([`${server.url}/json`]);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(ANSI_COLOR);
    const plain = stripColors(r.output).replace(/\r\n/g, "\n");
    expect(plain).toMatch(/^HTTP\/1\.1 200 OK\nContent-Type: application\/json\n/);
    expect(plain).toMatch(/\n\n\{\n {4}"id": 12345678901234567890,\n {4}"f": 1\.0,\n/);
  });

  it("NO_COLOR: formatted, no colours; --pretty=none: as received", async () => {
    let r = await reqwireOnTty([`${server.url}/json`], { env: { NO_COLOR: "1" } });
    expect(r.output).not.toMatch(ANSI_COLOR);
    expect(r.output).toMatch(/\r\n {4}"id": 12345678901234567890,\r\n/);
    r = await reqwireOnTty(["--pretty=none", `${server.url}/json`]);
    expect(r.output).not.toMatch(ANSI_COLOR);
    expect(r.output).toMatch(/\r\n\r\n\{"id":12345678901234567890,/);
  });

  it("binary bodies are not written to the terminal", async () => {
    const r = await reqwireOnTty([`${server.url}/binary`]);
    expect(r.output).toMatch(/NOTE: binary data not shown in terminal/);
  });

  it("--download draws a progress bar redrawn in place with \\r, with a percentage", async () => {
    const d = tmp();
    const r = await reqwireOnTty(["-d", `${server.url}/files/big.bin?pieces=6&pause=120`], { cwd: d });
    expect(r.code).toBe(0);
    expect(readFileSync(join(d, "big.bin")).equals(fileBytes(6))).toBe(true);
    const draws =
      visible(r.output).match(
        /\r *\d{1,3}% \[[=> ]+\] [\d.]+ [kMG]?B \/ 384\.00 kB {2}[\d.]+ [kMG]?B\/s[^\r\n]*⎋\[K/g,
      ) ?? [];
    expect(draws.length).toBeGreaterThanOrEqual(2); // at least the first and the final state
    expect(draws.at(-1)).toMatch(/^\r100% \[=+\] 384\.00 kB \/ 384\.00 kB/);
    expect(r.output).toMatch(/Downloading 384\.00 kB to "big\.bin"\r\n/);
    expect(r.output).toMatch(/\r\nDone: 384\.00 kB in .+, saved to "big\.bin"\r\n/);
    // the response headers, coloured
    expect(visible(r.output)).toMatch(/⎋\[[0-9;]*mContent-Length⎋\[0m: 393216/);
  });
});
