// Interop with a server nobody here wrote: nginx from the distribution (test/support/nginx.ts),
// on 127.0.0.1, plain and TLS (a CA made for the run), gzip, chunked (gzip and SSI), keep-alive,
// a static 10 MiB file and WebDAV PUT/DELETE. Everything round-trips byte-exact (SHA-256).
//
// nginx missing is a failure, never a skip: .ci/run installs it (Debian: apt-get install nginx).
import { createHash } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { type Response, Session, SSLError } from "../../src/index.js";
import { type Nginx, startNginx } from "../support/nginx.js";

let started: Promise<Nginx> | undefined;
/** nginx, started by the first test that needs it (each test fails alike if it cannot start). */
function nginx(): Promise<Nginx> {
  started ??= startNginx();
  return started;
}

const sessions: Session[] = [];
function newSession(ng: Nginx): Session {
  const s = new Session();
  s.trust_env = false;
  s.verify = ng.ca;
  sessions.push(s);
  return s;
}

afterAll(async () => {
  for (const s of sessions) s.close();
  const ng = await started?.catch(() => undefined);
  await ng?.stop();
});

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const MiB = 1024 * 1024;

/** A streamed body hashed as it arrives, in pieces of `size` bytes. */
async function streamedSha(r: Response, size?: number): Promise<{ sha: string; length: number }> {
  const h = createHash("sha256");
  let length = 0;
  for await (const chunk of r.iter_content(size)) {
    h.update(chunk);
    length += chunk.length;
  }
  return { sha: h.digest("hex"), length };
}

describe("nginx", () => {
  it("GET a static 10 MiB file byte-exact over http", async () => {
    const ng = await nginx();
    const s = newSession(ng);
    const { big } = ng.files;
    const r = await s.get(`${ng.url}${big.path}`, { timeout: 30 });
    expect(r.status_code).toBe(200);
    expect(r.headers["content-length"]).toBe(String(10 * MiB));
    expect(r.headers["content-encoding"]).toBeUndefined();
    expect(r.headers.server).toMatch(/^nginx/);
    expect(r.content.length).toBe(10 * MiB);
    expect(sha256(r.content)).toBe(big.sha256);
    // streamed, in odd pieces
    const streamed = await s.get(`${ng.url}${big.path}`, { timeout: 30, stream: true });
    expect(await streamedSha(streamed, 65_537)).toEqual({ sha: big.sha256, length: 10 * MiB });
  });

  it("GET a static 10 MiB file byte-exact over https, verified with the test CA", async () => {
    const ng = await nginx();
    const s = newSession(ng);
    const { big } = ng.files;
    const r = await s.get(`${ng.httpsUrl}${big.path}`, { timeout: 30 });
    expect(r.status_code).toBe(200);
    expect(sha256(r.content)).toBe(big.sha256);
    const streamed = await s.get(`${ng.httpsUrl}${big.path}`, { timeout: 30, stream: true });
    expect(await streamedSha(streamed)).toEqual({ sha: big.sha256, length: 10 * MiB });
    // the same server is refused by the default trust store: verification really happened
    const plain = new Session();
    plain.trust_env = false;
    sessions.push(plain);
    await expect(plain.get(`${ng.httpsUrl}${ng.files.small.path}`, { timeout: 30 })).rejects.toBeInstanceOf(SSLError);
  });

  it("HEAD: Content-Length of the file, no body", async () => {
    const ng = await nginx();
    const s = newSession(ng);
    for (const base of [ng.url, ng.httpsUrl]) {
      const r = await s.head(`${base}${ng.files.big.path}`, { timeout: 30 });
      expect(r.status_code).toBe(200);
      expect(r.headers["content-length"]).toBe(String(10 * MiB));
      expect(r.content.length).toBe(0);
      // the connection is still in step: the next response is read whole
      const small = await s.get(`${base}${ng.files.small.path}`, { timeout: 30 });
      expect(small.content).toEqual(new Uint8Array(ng.files.small.bytes));
      expect(small.headers["x-conn"]).toBe(r.headers["x-conn"]);
    }
  });

  it("gzip: compressed text decoded byte-exact", async () => {
    const ng = await nginx();
    const s = newSession(ng);
    const { text, small } = ng.files;
    for (const base of [ng.url, ng.httpsUrl]) {
      const r = await s.get(`${base}${text.path}`, { timeout: 30 });
      expect(r.headers["content-encoding"]).toBe("gzip");
      expect(r.headers["transfer-encoding"]).toBe("chunked"); // nginx compresses on the fly
      expect(r.headers.vary).toMatch(/accept-encoding/i);
      expect(r.content.length).toBe(text.bytes.length);
      expect(sha256(r.content)).toBe(text.sha256);
      const streamed = await s.get(`${base}${text.path}`, { timeout: 30, stream: true });
      expect(await streamedSha(streamed, 1000)).toEqual({ sha: text.sha256, length: text.bytes.length });
      // asked for no coding, the same bytes come with a Content-Length
      const identity = await s.get(`${base}${text.path}`, { timeout: 30, headers: { "Accept-Encoding": "identity" } });
      expect(identity.headers["content-encoding"]).toBeUndefined();
      expect(identity.headers["content-length"]).toBe(String(text.bytes.length));
      expect(sha256(identity.content)).toBe(text.sha256);
      // under gzip_min_length: not compressed
      const plain = await s.get(`${base}${small.path}`, { timeout: 30 });
      expect(plain.headers["content-encoding"]).toBeUndefined();
      expect(plain.text).toBe(small.bytes.toString());
    }
  });

  it("chunked: an SSI page with the 10 MiB file included, decoded byte-exact", async () => {
    const ng = await nginx();
    const s = newSession(ng);
    const { ssi } = ng.files;
    for (const base of [ng.url, ng.httpsUrl]) {
      const r = await s.get(`${base}${ssi.path}`, { timeout: 30, headers: { "Accept-Encoding": "identity" } });
      expect(r.status_code).toBe(200);
      expect(r.headers["transfer-encoding"]).toBe("chunked");
      expect(r.headers["content-length"]).toBeUndefined();
      expect(r.content.length).toBe(ssi.bytes.length);
      expect(sha256(r.content)).toBe(ssi.sha256);
      // and gzip over chunked, streamed
      const gz = await s.get(`${base}${ssi.path}`, { timeout: 30, stream: true });
      expect(gz.headers["content-encoding"]).toBe("gzip");
      expect(await streamedSha(gz)).toEqual({ sha: ssi.sha256, length: ssi.bytes.length });
    }
  });

  it("keep-alive: several requests on one connection", async () => {
    const ng = await nginx();
    for (const base of [ng.url, ng.httpsUrl]) {
      const s = newSession(ng);
      const { big, text, small } = ng.files;
      const responses = [
        await s.get(`${base}${small.path}`, { timeout: 30 }),
        await s.head(`${base}${big.path}`, { timeout: 30 }),
        await s.get(`${base}${text.path}`, { timeout: 30 }),
        await s.get(`${base}${big.path}`, { timeout: 30 }),
        await s.get(`${base}/missing`, { timeout: 30 }),
        await s.get(`${base}${small.path}`, { timeout: 30 }),
      ];
      expect(responses.map((r) => r.status_code)).toEqual([200, 200, 200, 200, 404, 200]);
      expect(sha256(responses[3]?.content ?? new Uint8Array())).toBe(big.sha256);
      expect(new Set(responses.map((r) => r.headers["x-conn"])).size).toBe(1);
      expect(responses.map((r) => r.headers["x-conn-requests"])).toEqual(["1", "2", "3", "4", "5", "6"]);
    }
  });

  it("PUT a 10 MiB body, GET it back byte-exact; DELETE, then GET is 404", async () => {
    const ng = await nginx();
    const s = newSession(ng);
    const body = Buffer.from(ng.files.big.bytes).reverse(); // not the file nginx already has
    const other = ng.files.big.bytes;
    for (const [base, name] of [
      [ng.url, "plain"],
      [ng.httpsUrl, "tls"],
    ] as const) {
      const url = `${base}/dav/${name}/deep/path/upload.bin`;
      const created = await s.put(url, { data: body, timeout: 30 });
      expect(created.status_code).toBe(201);
      const got = await s.get(url, { timeout: 30 });
      expect(got.status_code).toBe(200);
      expect(sha256(got.content)).toBe(sha256(body));
      // overwritten with a streamed (chunked) body of another 10 MiB
      const stream = async function* () {
        for (let at = 0; at < other.length; at += 1_000_003) yield other.subarray(at, at + 1_000_003);
      };
      const replaced = await s.put(url, { data: stream(), timeout: 30 });
      expect(replaced.status_code).toBe(204);
      const again = await s.get(url, { timeout: 30, stream: true });
      expect(await streamedSha(again)).toEqual({ sha: ng.files.big.sha256, length: 10 * MiB });
      const deleted = await s.delete(url, { timeout: 30 });
      expect(deleted.status_code).toBe(204);
      expect((await s.get(url, { timeout: 30 })).status_code).toBe(404);
      expect((await s.delete(url, { timeout: 30 })).status_code).toBe(404);
    }
    expect(ng.errorLog()).not.toMatch(/\[(alert|crit|emerg)\]/);
  });
});
