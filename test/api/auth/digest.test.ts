import { createHash, randomBytes } from "node:crypto";
import { createServer, request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { HTTPDigestAuth } from "../../../src/api/auth/digest.js";
import { parseChallenges } from "../../../src/api/auth/digest-challenge.js";
import { md5Hex, sha256Hex, sha512_256Hex, sha512Hex } from "../../../src/api/auth/hash.js";
import { listen, runCleanups } from "../helpers.js";

const nodeHash = (algorithm: string) => (data: string | Uint8Array) => createHash(algorithm).update(data).digest("hex");
const HASHES = [
  ["md5", md5Hex],
  ["sha256", sha256Hex],
  ["sha512-256", sha512_256Hex],
  ["sha512", sha512Hex],
] as const;

/** The params of an Authorization value, read with the challenge parser (same auth-param syntax). */
function params(authorization: string | undefined): Record<string, string> {
  expect(authorization).toBeDefined();
  const [only, ...rest] = parseChallenges(authorization ?? "");
  expect(rest).toEqual([]);
  expect(only?.scheme).toBe("Digest");
  return { ...only?.params };
}

describe("hashes", () => {
  it.each(HASHES)("%s matches node:crypto for every length 0..300", (name, ours) => {
    const reference = nodeHash(name);
    for (let n = 0; n <= 300; n++) {
      const data = randomBytes(n);
      expect(ours(data), `length ${n}`).toBe(reference(data));
    }
  });

  it.each(HASHES)("%s matches node:crypto on a few MB and on UTF-8 strings", (name, ours) => {
    const reference = nodeHash(name);
    const big = randomBytes(3 * 1024 * 1024 + 17);
    expect(ours(big)).toBe(reference(big));
    for (const text of ["", "abc", "héllo wörld", "日本語", "😀 emoji", "lone \ud800 surrogate", "x".repeat(1000)]) {
      expect(ours(text), text).toBe(reference(text));
    }
  });

  it("gives the published test vectors", () => {
    expect(md5Hex("")).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(md5Hex("message digest")).toBe("f96b697d7cb7938d525a2f31aaf161d0");
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha512Hex("abc")).toBe(
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    );
    expect(sha512_256Hex("abc")).toBe("53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23");
  });
});

describe("parseChallenges", () => {
  it("splits several challenges joined by commas, with quoted commas and escapes", () => {
    expect(
      parseChallenges(
        'Newauth realm="apps", type=1, title="Login to \\"apps\\", please", Basic realm="simple", Negotiate abc+/d==, Bearer',
      ),
    ).toEqual([
      { scheme: "Newauth", params: { realm: "apps", type: "1", title: 'Login to "apps", please' } },
      { scheme: "Basic", params: { realm: "simple" } },
      { scheme: "Negotiate", params: {}, token68: "abc+/d==" },
      { scheme: "Bearer", params: {} },
    ]);
  });

  it("lowercases param names, keeps the first of repeated ones, and tolerates sloppy servers", () => {
    const [c] = parseChallenges('Digest REALM = "r" , nonce="n1" nonce="n2" qop=auth\tOpaque=o/p=q,,');
    expect(c?.params).toEqual({ realm: "r", nonce: "n1", qop: "auth", opaque: "o/p=q" });
    // junk is skipped up to the next comma; an unterminated quoted-string runs to the end
    expect(parseChallenges('Digest realm="a" @@@ "x,y" junk, nonce="b, Basic x=1')).toEqual([
      { scheme: "Digest", params: { realm: "a", nonce: "b, Basic x=1" } },
    ]);
    expect(parseChallenges('Digest realm="a\\\\b\\"c\\d"')[0]?.params.realm).toBe('a\\b"cd');
    expect(parseChallenges("")).toEqual([]);
    expect(parseChallenges(" , ,")).toEqual([]);
    expect(parseChallenges('Basic realm=""')[0]?.params).toEqual({ realm: "" });
    const own = parseChallenges('Digest __proto__="x", constructor=y')[0]?.params ?? {};
    expect(Object.entries(own)).toEqual([
      ["__proto__", "x"],
      ["constructor", "y"],
    ]);
  });

  it("finishes in linear time on hostile input", () => {
    const mb = 1 << 20;
    const hostile = [
      '"'.repeat(mb),
      "\\".repeat(mb),
      `Digest realm="${"\\".repeat(mb)}`,
      `Digest ${"a=".repeat(mb / 2)}`,
      `Digest ${"a ".repeat(mb / 2)}`,
      `Digest ${"a/".repeat(mb / 2)}"`,
      `Digest ${"a=b ".repeat(mb / 4)}`,
      `Digest ${",".repeat(mb)}`,
      `Digest ${" ".repeat(mb)}x`,
      `X ${"=".repeat(mb)}y`,
      '", '.repeat(mb / 3),
      'a="\\'.repeat(mb / 4),
    ];
    for (const value of hostile) expect(Array.isArray(parseChallenges(value))).toBe(true);
  });
});

// RFC 7616 §3.9.1
const RFC = {
  realm: "http-auth@example.org",
  nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
  opaque: "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
  cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
};
const rfcChallenge = (algorithm: string) =>
  `Digest realm="${RFC.realm}", qop="auth, auth-int", algorithm=${algorithm}, nonce="${RFC.nonce}", opaque="${RFC.opaque}"`;

describe("HTTPDigestAuth", () => {
  it("answers the RFC 7616 §3.9.1 example with its published SHA-256 and MD5 responses", async () => {
    const auth = () => new HTTPDigestAuth("Mufasa", "Circle of Life", { cnonce: () => RFC.cnonce });
    expect(await auth().challenge("GET", "/dir/index.html", rfcChallenge("SHA-256"))).toBe(
      `Digest username="Mufasa", realm="${RFC.realm}", uri="/dir/index.html", algorithm=SHA-256, ` +
        `nonce="${RFC.nonce}", nc=00000001, cnonce="${RFC.cnonce}", qop=auth, ` +
        `response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", opaque="${RFC.opaque}"`,
    );
    expect(await auth().challenge("GET", "/dir/index.html", rfcChallenge("MD5"))).toBe(
      `Digest username="Mufasa", realm="${RFC.realm}", uri="/dir/index.html", algorithm=MD5, ` +
        `nonce="${RFC.nonce}", nc=00000001, cnonce="${RFC.cnonce}", qop=auth, ` +
        `response="8ca523f5e9506fed4657c9700eebdbec", opaque="${RFC.opaque}"`,
    );
  });

  it("picks SHA-256 when the RFC's server offers SHA-256 and MD5, in either order", async () => {
    for (const value of [
      `${rfcChallenge("SHA-256")}, ${rfcChallenge("MD5")}`,
      `${rfcChallenge("MD5")}, ${rfcChallenge("SHA-256")}`,
      `Basic realm="x", ${rfcChallenge("MD5")}, Digest realm="y", nonce="z", algorithm=SHA-1, ${rfcChallenge("SHA-256")}`,
    ]) {
      const auth = new HTTPDigestAuth("Mufasa", "Circle of Life", { cnonce: () => RFC.cnonce });
      expect(params(await auth.challenge("GET", "/dir/index.html", value))).toMatchObject({
        algorithm: "SHA-256",
        response: "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
      });
    }
    // with an unknown algorithm and MD5, MD5
    const auth = new HTTPDigestAuth("Mufasa", "Circle of Life", { cnonce: () => RFC.cnonce });
    const value = `${rfcChallenge("SHA-1024")}, ${rfcChallenge("MD5")}`;
    expect(params(await auth.challenge("GET", "/dir/index.html", value)).algorithm).toBe("MD5");
  });

  it("answers the RFC 7616 §3.9.2 SHA-512-256 example with FIPS SHA-512/256, a non-ASCII username as username*", async () => {
    const ex = {
      username: "J\u00e4s\u00f8n Doe",
      password: "Secret, or not?",
      realm: "api@example.org",
      nonce: "5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK",
      cnonce: "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v",
      published: "ae66e67d6b427bd3f120414a82e4acff38e8ecd9101d6c861229025f607a79dd",
    };
    const auth = new HTTPDigestAuth(ex.username, ex.password, { cnonce: () => ex.cnonce });
    const value =
      `Digest realm="${ex.realm}", qop="auth", algorithm=SHA-512-256, nonce="${ex.nonce}", ` +
      'opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", charset=UTF-8, userhash=true';
    const header = await auth.challenge("GET", "/doe.json", value);
    // RFC 7616 §3.4.4 shows this very username* value
    expect(header).toContain("username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, ");
    expect(params(header).userhash).toBeUndefined();
    const response = (H: (s: string) => string) =>
      H(
        `${H(`${ex.username}:${ex.realm}:${ex.password}`)}:${ex.nonce}:00000001:${ex.cnonce}:auth:${H("GET:/doe.json")}`,
      );
    expect(params(header)).toMatchObject({ algorithm: "SHA-512-256", response: response(nodeHash("sha512-256")) });
    // The RFC's published response was computed with SHA-512 cut to 256 bits, not with SHA-512/256
    // (whose initial values differ), so it cannot be reproduced by a client that uses SHA-512/256.
    const truncatedSha512 = (s: string) => nodeHash("sha512")(s).slice(0, 64);
    expect(response(truncatedSha512)).toBe(ex.published);
    expect(params(header).response).not.toBe(ex.published);
  });

  it("computes MD5-sess and SHA-256-sess with the session key H(H(A1):nonce:cnonce)", async () => {
    for (const [algorithm, name] of [
      ["MD5-sess", "md5"],
      ["SHA-256-sess", "sha256"],
    ] as const) {
      const H = nodeHash(name);
      let n = 0;
      const auth = new HTTPDigestAuth("user", "pass", { cnonce: () => `cn${++n}` });
      const p1 = params(
        await auth.challenge("POST", "/a?b=c", `Digest realm="r", nonce="N", qop=auth, algorithm=${algorithm}`),
      );
      const ha1 = H(`${H("user:r:pass")}:N:cn1`);
      expect(p1).toMatchObject({ algorithm, nc: "00000001", cnonce: "cn1", qop: "auth", uri: "/a?b=c" });
      expect(p1.response).toBe(H(`${ha1}:N:00000001:cn1:auth:${H("POST:/a?b=c")}`));
      // the session key, and so the cnonce, stays for the nonce's lifetime
      const p2 = params(auth.header("GET", "/x"));
      expect(p2).toMatchObject({ nc: "00000002", cnonce: "cn1" });
      expect(p2.response).toBe(H(`${ha1}:N:00000002:cn1:auth:${H("GET:/x")}`));
      // a new nonce, a new session
      const p3 = params(
        await auth.challenge("GET", "/x", `Digest realm="r", nonce="M", qop=auth, algorithm=${algorithm}`),
      );
      expect(p3).toMatchObject({ nc: "00000001", cnonce: "cn2" });
    }
  });

  it("answers a challenge without qop as RFC 2069 does", async () => {
    const H = nodeHash("md5");
    const auth = new HTTPDigestAuth("user", "pass");
    const header = await auth.challenge("GET", "/p", 'Digest realm="r", nonce="abc"');
    expect(header).toBe(
      `Digest username="user", realm="r", uri="/p", nonce="abc", response="${H(`${H("user:r:pass")}:abc:${H("GET:/p")}`)}"`,
    );
    // an empty qop list is no qop
    expect(params(await auth.challenge("GET", "/p", 'Digest realm="r", nonce="abc", qop=""')).qop).toBeUndefined();
  });

  it("counts requests per nonce: header() goes up by one, a new nonce starts again at 1", async () => {
    const auth = new HTTPDigestAuth("u", "p");
    const value = (nonce: string) => `Digest realm="r", nonce="${nonce}", qop="auth"`;
    expect(params(await auth.challenge("GET", "/", value("one"))).nc).toBe("00000001");
    const cnonces = new Set<string>();
    for (let i = 2; i <= 17; i++) {
      const p = params(auth.header("GET", "/"));
      expect(p.nc).toBe(i.toString(16).padStart(8, "0"));
      expect(p.cnonce).toMatch(/^[0-9a-f]{16}$/);
      cnonces.add(p.cnonce ?? "");
    }
    expect(cnonces.size).toBe(16);
    expect(params(await auth.challenge("GET", "/", value("one"))).nc).toBe("00000012"); // same nonce: counting on
    expect(params(await auth.challenge("GET", "/", value("two"))).nc).toBe("00000001");
    expect(params(auth.header("GET", "/")).nc).toBe("00000002");
  });

  it("echoes opaque and the algorithm as the server spelled them, and omits what the server did not send", async () => {
    const auth = new HTTPDigestAuth("u", "p");
    const p = params(
      await auth.challenge(
        "GET",
        "/",
        'Digest realm="r", nonce="n", qop=auth, algorithm="sha-256", opaque="o \\"q\\""',
      ),
    );
    expect(p).toMatchObject({ algorithm: "sha-256", opaque: 'o "q"' });
    expect(auth.header("GET", "/")).toMatch(/, algorithm=sha-256, .*, opaque="o \\"q\\""$/);
    const bare = await auth.challenge("GET", "/", 'Digest realm="r", nonce="n2"');
    expect(bare).not.toMatch(/algorithm|opaque|qop|nc=|cnonce/);
    expect(params(await auth.challenge("GET", "/", 'Digest realm="r", nonce="n3", opaque=""')).opaque).toBe("");
  });

  it("gives undefined for no usable Digest challenge", async () => {
    const auth = new HTTPDigestAuth("u", "p");
    expect(auth.header("GET", "/")).toBeUndefined();
    for (const value of [
      "",
      'Basic realm="x"',
      'Bearer realm="x", error="invalid_token"',
      'Digest realm="r", nonce="n", qop="auth-int"',
      'Digest realm="r", nonce="n", algorithm=SHA-1',
      'Digest realm="r", nonce="n", algorithm=MD5-sess-extra',
      'Digest realm="r"',
      "Digest",
    ]) {
      expect(await auth.challenge("GET", "/", value), value).toBeUndefined();
    }
    expect(auth.header("GET", "/")).toBeUndefined();
    // "auth" among others is enough
    expect(params(await auth.challenge("GET", "/", 'Digest realm="r", nonce="n", qop="auth-int,AUTH"')).qop).toBe(
      "auth",
    );
  });

  it("quotes and escapes username, realm, nonce, uri and opaque, and hashes the unescaped values", async () => {
    const H = nodeHash("md5");
    const auth = new HTTPDigestAuth('we"ird\\user', "pä ss");
    const header = await auth.challenge("GET", '/a"b', 'Digest realm="r\\"e\\\\alm", nonce="n\\"1", opaque="o\\\\"');
    expect(header).toContain('username="we\\"ird\\\\user", realm="r\\"e\\\\alm", uri="/a\\"b", nonce="n\\"1"');
    expect(header).toContain('opaque="o\\\\"');
    const p = params(header);
    expect(p).toMatchObject({ username: 'we"ird\\user', realm: 'r"e\\alm', uri: '/a"b', nonce: 'n"1', opaque: "o\\" });
    expect(p.response).toBe(H(`${H('we"ird\\user:r"e\\alm:pä ss')}:n"1:${H('GET:/a"b')}`));
    // a control character cannot be in a quoted-string: username* instead
    const crlf = await new HTTPDigestAuth("a\r\nb", "p").challenge("GET", "/", 'Digest realm="r", nonce="n"');
    expect(crlf).toContain("username*=UTF-8''a%0D%0Ab, ");
    expect(crlf).not.toMatch(/[\r\n]/);
  });

  it("tells a stale nonce from a refusal", async () => {
    const auth = new HTTPDigestAuth("u", "p");
    expect(await auth.isStale('Digest realm="r", nonce="new", stale=true')).toBe(true);
    expect(await auth.isStale('Digest realm="r", nonce="new", stale="TRUE"')).toBe(true);
    expect(await auth.isStale('Basic realm="r", Digest realm="r", nonce="new", stale=TRUE')).toBe(true);
    expect(await auth.isStale('Digest realm="r", nonce="new", stale=false')).toBe(false);
    expect(await auth.isStale('Digest realm="r", nonce="new"')).toBe(false);
    expect(await auth.isStale('Basic realm="r", stale=true')).toBe(false);
    expect(await auth.isStale("")).toBe(false);
  });
});

// ---- against a server that checks Digest itself, with node:crypto ----------------------------

interface ServerOptions {
  /** Digest challenges offered, most preferred first */
  algorithms: string[];
  qop: boolean;
  /** a nonce goes stale after this many accepted requests */
  maxUses?: number;
}

interface Seen {
  status: number;
  algorithm?: string;
  nc?: string;
}

const USERS = new Map([["alice", "s3cr\u00e9t"]]);
const REALM = "tests@127.0.0.1";

function digestServer(options: ServerOptions) {
  const nonces = new Map<string, { lastNc: number; uses: number; algorithm: string }>(); // nonce ⇒ state
  const seen: Seen[] = [];
  let counter = 0;
  const challenges = (stale: boolean) =>
    options.algorithms.map((algorithm) => {
      const nonce = createHash("sha256").update(`nonce ${++counter} ${Math.random()}`).digest("base64");
      nonces.set(nonce, { lastNc: 0, uses: 0, algorithm });
      return (
        `Digest realm="${REALM}", nonce="${nonce}", algorithm=${algorithm}, opaque="op${counter}"` +
        (options.qop ? ', qop="auth,auth-int"' : "") +
        (stale ? ", stale=true" : "")
      );
    });

  const server = createServer((req, res) => {
    const refuse = (stale: boolean, record: Seen = { status: 401 }) => {
      seen.push(record);
      res.writeHead(401, [["Content-Length", "0"], ...challenges(stale).map((c) => ["WWW-Authenticate", c])]);
      res.end();
    };
    const authorization = req.headers.authorization;
    if (!authorization) return refuse(false);
    const [credentials] = parseChallenges(authorization);
    const p = credentials?.params ?? {};
    const state = nonces.get(p.nonce ?? "");
    if (credentials?.scheme !== "Digest" || !state) return refuse(false);
    const record: Seen = { status: 401, algorithm: p.algorithm, nc: p.nc };
    const password = USERS.get(p.username ?? "");
    const name = state.algorithm
      .replace(/-sess$/i, "")
      .toLowerCase()
      .replace("sha-", "sha");
    const H = nodeHash(name === "sha512-256" ? "sha512-256" : name);
    if (password === undefined || p.realm !== REALM || p.uri !== req.url || p.algorithm !== state.algorithm) {
      return refuse(false, record);
    }
    let ha1 = H(`${p.username}:${REALM}:${password}`);
    if (/-sess$/i.test(state.algorithm)) ha1 = H(`${ha1}:${p.nonce}:${p.cnonce}`);
    const ha2 = H(`${req.method}:${req.url}`);
    let expected: string;
    if (options.qop) {
      // nc must be 8 hex digits and go up with every request on the nonce
      const nc = /^[0-9a-f]{8}$/.test(p.nc ?? "") ? Number.parseInt(p.nc ?? "", 16) : 0;
      if (p.qop !== "auth" || nc <= state.lastNc || !p.cnonce) return refuse(false, record);
      state.lastNc = nc;
      expected = H(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
    } else {
      if (p.qop !== undefined || p.nc !== undefined) return refuse(false, record);
      expected = H(`${ha1}:${p.nonce}:${ha2}`);
    }
    if (p.response !== expected) return refuse(false, record);
    if (p.opaque === undefined || !/^op\d+$/.test(p.opaque)) return refuse(false, record);
    if (options.maxUses !== undefined && state.uses >= options.maxUses) {
      nonces.delete(p.nonce ?? "");
      return refuse(true, record);
    }
    state.uses++;
    seen.push({ ...record, status: 200 });
    res.writeHead(200, { "Content-Length": "2" });
    res.end("ok");
  });
  return { server, seen };
}

/** A GET with plain node:http; the WWW-Authenticate fields joined by ", " as a client sees them. */
function get(port: number, path: string, authorization?: string): Promise<{ status: number; wwwAuthenticate: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, method: "GET", agent: false, headers: authorization ? { authorization } : {} },
      (res) => {
        const values: string[] = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          if (res.rawHeaders[i]?.toLowerCase() === "www-authenticate") values.push(res.rawHeaders[i + 1] ?? "");
        }
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, wwwAuthenticate: values.join(", ") }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("HTTPDigestAuth against a live Digest server", () => {
  afterEach(runCleanups);

  const cases: Array<[string, boolean]> = [];
  for (const algorithm of [
    "MD5",
    "MD5-sess",
    "SHA-256",
    "SHA-256-sess",
    "SHA-512",
    "SHA-512-sess",
    "SHA-512-256",
    "SHA-512-256-sess",
  ]) {
    for (const qop of [true, false]) cases.push([algorithm, qop]);
  }

  it.each(cases)("%s (qop %s): 401, answer, then pre-emptive requests with a rising nc", async (algorithm, qop) => {
    const { server, seen } = digestServer({ algorithms: [algorithm], qop });
    const port = await listen(server);
    const auth = new HTTPDigestAuth("alice", "s3cr\u00e9t");
    const first = await get(port, "/private");
    expect(first.status).toBe(401);
    const answer = await auth.challenge("GET", "/private", first.wwwAuthenticate);
    expect((await get(port, "/private", answer)).status).toBe(200);
    for (const path of ["/private?a=1&b=%20", "/other/path", "/private"]) {
      expect((await get(port, path, auth.header("GET", path))).status).toBe(200);
    }
    expect(seen.map((s) => s.status)).toEqual([401, 200, 200, 200, 200]);
    expect(seen.slice(1).map((s) => s.nc)).toEqual(
      qop ? ["00000001", "00000002", "00000003", "00000004"] : [undefined, undefined, undefined, undefined],
    );
  });

  it("uses the strongest of several offered algorithms", async () => {
    const { server, seen } = digestServer({ algorithms: ["MD5", "SHA-256", "MD5-sess"], qop: true });
    const port = await listen(server);
    const auth = new HTTPDigestAuth("alice", "s3cr\u00e9t");
    const first = await get(port, "/");
    expect(parseChallenges(first.wwwAuthenticate)).toHaveLength(3);
    expect((await get(port, "/", await auth.challenge("GET", "/", first.wwwAuthenticate))).status).toBe(200);
    expect(seen[1]).toMatchObject({ status: 200, algorithm: "SHA-256" });
  });

  it("retries after a stale nonce with the new one, starting again at nc=1", async () => {
    const { server, seen } = digestServer({ algorithms: ["SHA-256"], qop: true, maxUses: 2 });
    const port = await listen(server);
    const auth = new HTTPDigestAuth("alice", "s3cr\u00e9t");
    const first = await get(port, "/");
    expect((await get(port, "/", await auth.challenge("GET", "/", first.wwwAuthenticate))).status).toBe(200);
    expect((await get(port, "/", auth.header("GET", "/"))).status).toBe(200);
    const stale = await get(port, "/", auth.header("GET", "/"));
    expect(stale.status).toBe(401);
    expect(await auth.isStale(stale.wwwAuthenticate)).toBe(true);
    expect((await get(port, "/", await auth.challenge("GET", "/", stale.wwwAuthenticate))).status).toBe(200);
    expect(seen.map((s) => [s.status, s.nc])).toEqual([
      [401, undefined],
      [200, "00000001"],
      [200, "00000002"],
      [401, "00000003"],
      [200, "00000001"],
    ]);
  });

  it("is refused, not stale, with a wrong password or user", async () => {
    const { server } = digestServer({ algorithms: ["SHA-256"], qop: true });
    const port = await listen(server);
    for (const auth of [new HTTPDigestAuth("alice", "wrong"), new HTTPDigestAuth("bob", "s3cr\u00e9t")]) {
      const first = await get(port, "/");
      const second = await get(port, "/", await auth.challenge("GET", "/", first.wwwAuthenticate));
      expect(second.status).toBe(401);
      expect(await auth.isStale(second.wwwAuthenticate)).toBe(false);
    }
  });
});
