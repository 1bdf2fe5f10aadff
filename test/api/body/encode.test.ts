// Expected strings marked "requests 2.34.2" were produced by Python requests / urllib3 2.7.
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { bodyFromData, encodeForm, encodeJson } from "../../../src/api/body/encode.js";
import { encodeMultipart } from "../../../src/api/body/multipart.js";
import { appendParams, encodeParams } from "../../../src/api/body/params.js";
import { basicAuth } from "../../../src/api/request.js";
import "../../../src/entry/node.js";

const text = (b: Uint8Array | AsyncIterable<Uint8Array> | null) => new TextDecoder().decode(b as Uint8Array);
const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");

async function collect(body: Uint8Array | AsyncIterable<Uint8Array> | null): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  if (body instanceof Uint8Array) return body;
  const parts: Uint8Array[] = [];
  for await (const c of body) parts.push(c);
  return Buffer.concat(parts);
}

describe("encodeParams", () => {
  it("encodes like urlencode(doseq=True) (requests 2.34.2)", () => {
    expect(encodeParams({ q: "a b", tag: ["x", "y"], n: 1, none: null, u: "é€😀", sym: "!'()*~-._&=+/?#%" })).toBe(
      "q=a+b&tag=x&tag=y&n=1&u=%C3%A9%E2%82%AC%F0%9F%98%80&sym=%21%27%28%29%2A~-._%26%3D%2B%2F%3F%23%25",
    );
    expect(
      encodeParams([
        ["a", "1"],
        ["a", "2"],
        ["b c", "d e"],
      ]),
    ).toBe("a=1&a=2&b+c=d+e");
  });

  it("takes URLSearchParams and Map with requests' character set, not URLSearchParams'", () => {
    expect(encodeParams(new URLSearchParams([["k", "~*"]]))).toBe("k=~%2A");
    expect(encodeParams(new Map([["k", ["1", undefined, "2"]]]))).toBe("k=1&k=2");
  });

  it("writes booleans and bigints as JavaScript prints them", () => {
    expect(encodeParams({ t: true, f: false, big: 10n ** 20n })).toBe("t=true&f=false&big=100000000000000000000");
  });

  it("returns a string unchanged and nothing for null, undefined or an empty object", () => {
    expect(encodeParams("raw=a b")).toBe("raw=a b");
    expect(encodeParams(undefined)).toBe("");
    expect(encodeParams({})).toBe("");
    expect(encodeParams({ a: [] })).toBe("");
  });

  it("rejects objects, lone surrogates and malformed pairs", () => {
    expect(() => encodeParams({ a: { b: 1 } } as never)).toThrow(TypeError);
    expect(() => encodeParams({ a: "\ud800" })).toThrow(/lone surrogate/);
    expect(() => encodeParams([["a"]] as never)).toThrow(TypeError);
  });
});

describe("appendParams", () => {
  it("adds to an existing query and keeps the fragment last (requests 2.34.2)", () => {
    expect(appendParams("http://h/p?x=1#frag", { b: "2" })).toBe("http://h/p?x=1&b=2#frag");
    expect(appendParams("http://h/p?#frag", { b: "2" })).toBe("http://h/p?b=2#frag");
    expect(appendParams("http://h/p", "raw=1")).toBe("http://h/p?raw=1");
  });

  it("leaves the URL alone when there is nothing to add", () => {
    expect(appendParams("http://h/p?x=1#f", {})).toBe("http://h/p?x=1#f");
    expect(appendParams("http://h/p", null)).toBe("http://h/p");
  });

  it("does not treat a '?' in the fragment as the query", () => {
    expect(appendParams("http://h/p#a?b", { c: "d" })).toBe("http://h/p?c=d#a?b");
  });
});

describe("encodeForm", () => {
  it("encodes fields as a form body (requests 2.34.2)", () => {
    const { body, contentType } = encodeForm({ q: "a b" });
    expect(text(body)).toBe("q=a+b");
    expect(contentType).toBe("application/x-www-form-urlencoded");
  });
});

describe("encodeJson", () => {
  it("writes json.dumps' bytes: spaced separators, non-ASCII escaped (requests 2.34.2)", () => {
    const { body, contentType } = encodeJson({
      a: 1,
      b: [1, 2, { c: null }],
      s: 'é\u007f\u2028😀\n"\\',
      t: true,
      e: {},
      l: [],
    });
    expect(latin1(body)).toBe(
      '{"a": 1, "b": [1, 2, {"c": null}], "s": "\\u00e9\\u007f\\u2028\\ud83d\\ude00\\n\\"\\\\", "t": true, "e": {}, "l": []}',
    );
    expect(contentType).toBe("application/json");
  });

  it("leaves commas and colons inside strings alone", () => {
    expect(text(encodeJson({ "k:,": 'v,:"x:y"' }).body)).toBe('{"k:,": "v,:\\"x:y\\""}');
  });

  it("escapes long runs of non-ASCII (its output grows past its first estimate) and many separators", () => {
    const cups = "\u2615".repeat(5000);
    const emoji = "\u{1F600}".repeat(700);
    const list = Array.from({ length: 3000 }, (_, i) => i);
    const out = text(encodeJson({ cups, emoji, list, "\u00e9": ":" }).body);
    expect(out).toBe(
      `{"cups": "${"\\u2615".repeat(5000)}", "emoji": "${"\\ud83d\\ude00".repeat(700)}", ` +
        `"list": [${list.join(", ")}], "\\u00e9": ":"}`,
    );
  });

  it("every body keeps its own bytes, however many are made (small ones share memory)", () => {
    const kept = Array.from({ length: 400 }, (_, i) => ({ i, body: encodeJson({ i, pad: "é".repeat(i * 7) }).body }));
    for (const { i, body } of kept) expect(JSON.parse(text(body))).toEqual({ i, pad: "é".repeat(i * 7) });
  });

  it("follows JSON.stringify for toJSON and undefined members", () => {
    expect(text(encodeJson({ d: new Date(0), u: undefined, arr: [undefined] }).body)).toBe(
      '{"d": "1970-01-01T00:00:00.000Z", "arr": [null]}',
    );
    expect(text(encodeJson("plain").body)).toBe('"plain"');
  });

  it("rejects NaN and Infinity instead of writing null", () => {
    expect(() => encodeJson({ x: Number.NaN })).toThrow(/not JSON compliant: NaN \(at "x"\)/);
    expect(() => encodeJson([Number.POSITIVE_INFINITY])).toThrow(TypeError);
    expect(() => encodeJson(new Number(Number.NEGATIVE_INFINITY))).toThrow(TypeError);
  });

  it("tells real nulls from NaN and Infinity wherever they are: deep, beside nulls, behind toJSON", () => {
    const nested = { a: null, list: [null, 1, { deep: [2, { n: Number.NaN }] }] };
    expect(() => encodeJson(nested)).toThrow(/not JSON compliant: NaN \(at "n"\)/);
    expect(() => encodeJson({ a: null, n: new Number(Number.POSITIVE_INFINITY) })).toThrow(TypeError);
    expect(() => encodeJson({ a: null, t: { toJSON: () => ({ v: Number.NEGATIVE_INFINITY }) } })).toThrow(TypeError);
    const deep: { next?: unknown; v: number } = { v: 1 };
    let at = deep;
    for (let i = 0; i < 100; i++) {
      at.next = { v: i };
      at = at.next as typeof deep;
    }
    at.next = { x: null, y: Number.NaN };
    expect(() => encodeJson(deep)).toThrow(TypeError);
    // nulls and inherited or non-enumerable members are no reason to refuse
    const proto = Object.create({ inherited: Number.NaN }) as Record<string, unknown>;
    proto.own = null;
    Object.defineProperty(proto, "hidden", { value: Number.NaN, enumerable: false });
    expect(text(encodeJson({ a: null, b: [null, { c: null }], p: proto }).body)).toBe(
      '{"a": null, "b": [null, {"c": null}], "p": {"own": null}}',
    );
  });

  it("rejects undefined, functions, BigInt and cycles with a TypeError", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const bad of [undefined, () => 1, { n: 1n }, cycle]) expect(() => encodeJson(bad)).toThrow(TypeError);
  });
});

describe("encodeMultipart", () => {
  it("writes urllib3's bytes: fields first, then files, escaped names (requests 2.34.2)", async () => {
    const { body, contentType, length } = await encodeMultipart(
      {
        f: ["a.txt", new TextEncoder().encode("hello"), "text/plain"],
        g: new TextEncoder().encode("raw"),
        h: [null, "plain"],
        i: ['we"ird\r\nname.txt', new TextEncoder().encode("x"), null, { "X-Extra": "1" }],
      },
      { k: "v", multi: ["1", "2"], ü: "é" },
      { boundary: "BOUNDARY" },
    );
    expect(contentType).toBe("multipart/form-data; boundary=BOUNDARY");
    expect(body).toBeInstanceOf(Uint8Array);
    expect(length).toBe((body as Uint8Array).length);
    expect(latin1(body as Uint8Array)).toBe(
      '--BOUNDARY\r\nContent-Disposition: form-data; name="k"\r\n\r\nv\r\n--BOUNDARY\r\nContent-Disposition: form-data; name="multi"\r\n\r\n1\r\n--BOUNDARY\r\nContent-Disposition: form-data; name="multi"\r\n\r\n2\r\n--BOUNDARY\r\nContent-Disposition: form-data; name="\xc3\xbc"\r\n\r\n\xc3\xa9\r\n--BOUNDARY\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--BOUNDARY\r\nContent-Disposition: form-data; name="g"; filename="g"\r\n\r\nraw\r\n--BOUNDARY\r\nContent-Disposition: form-data; name="h"\r\n\r\nplain\r\n--BOUNDARY\r\nContent-Disposition: form-data; name="i"; filename="we%22ird%0D%0Aname.txt"\r\nX-Extra: 1\r\n\r\nx\r\n--BOUNDARY--\r\n',
    );
  });

  it("picks a fresh 32-hex-digit boundary each time", async () => {
    const a = await encodeMultipart({ f: "x" });
    const b = await encodeMultipart({ f: "x" });
    expect(a.contentType).toMatch(/^multipart\/form-data; boundary=[0-9a-f]{32}$/);
    expect(a.contentType).not.toBe(b.contentType);
    const boundary = a.contentType.split("=")[1];
    expect(text(a.body as Uint8Array).startsWith(`--${boundary}\r\n`)).toBe(true);
  });

  it("reads Blobs into the body, using a File's name and type", async () => {
    const file = new File(["<p>hi</p>"], "page.html", { type: "text/html" });
    const { body, length } = await encodeMultipart({ up: file, blob: new Blob(["b"]) }, null, { boundary: "B" });
    const expected =
      '--B\r\nContent-Disposition: form-data; name="up"; filename="page.html"\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n' +
      '--B\r\nContent-Disposition: form-data; name="blob"; filename="blob"\r\n\r\nb\r\n--B--\r\n';
    expect(text(body as Uint8Array)).toBe(expected);
    expect(length).toBe(expected.length);
  });

  it("lets an explicit content type win over a Content-Type header, which wins over Blob.type", async () => {
    const blob = new Blob(["x"], { type: "image/png" });
    const body = async (v: Parameters<typeof encodeMultipart>[0]) =>
      text((await encodeMultipart(v, null, { boundary: "B" })).body as Uint8Array);
    expect(await body({ f: ["n", blob, "a/b", { "content-type": "c/d" }] })).toContain("Content-Type: a/b\r\n\r\n");
    expect(await body({ f: ["n", blob, null, { "content-type": "c/d" }] })).toContain("Content-Type: c/d\r\n\r\n");
    expect(await body({ f: ["n", blob] })).toContain("Content-Type: image/png\r\n\r\n");
    expect(await body({ f: ["n", "x", null, { "Content-Disposition": "evil" }] })).not.toContain("evil");
  });

  it("streams when a part is a stream, parts in order, with no length", async () => {
    async function* gen() {
      yield new TextEncoder().encode("chunk1-");
      yield new TextEncoder().encode("chunk2");
    }
    const rs = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode("from-rs"));
        c.close();
      },
    });
    const { body, length } = await encodeMultipart(
      [
        ["a", ["a.bin", gen(), "application/octet-stream"]],
        ["b", ["b.txt", rs]],
        ["c", new Blob(["blob"])],
        ["d", Readable.from([Buffer.from("node")])],
      ],
      { first: "1" },
      { boundary: "B" },
    );
    expect(length).toBeUndefined();
    expect(body).not.toBeInstanceOf(Uint8Array);
    expect(text(await collect(body))).toBe(
      '--B\r\nContent-Disposition: form-data; name="first"\r\n\r\n1\r\n' +
        '--B\r\nContent-Disposition: form-data; name="a"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\nchunk1-chunk2\r\n' +
        '--B\r\nContent-Disposition: form-data; name="b"; filename="b.txt"\r\n\r\nfrom-rs\r\n' +
        '--B\r\nContent-Disposition: form-data; name="c"; filename="c"\r\n\r\nblob\r\n' +
        '--B\r\nContent-Disposition: form-data; name="d"; filename="d"\r\n\r\nnode\r\n--B--\r\n',
    );
  });

  it("leaves out files whose content is null, as requests does", async () => {
    const { body } = await encodeMultipart({ a: null, b: ["b", null], c: "x" }, null, { boundary: "B" });
    expect(text(body as Uint8Array)).toBe(
      '--B\r\nContent-Disposition: form-data; name="c"; filename="c"\r\n\r\nx\r\n--B--\r\n',
    );
  });

  it("rejects no files, string data, bad headers and bad boundaries", async () => {
    await expect(encodeMultipart({})).rejects.toThrow(/Files must be provided/);
    await expect(encodeMultipart({ f: "x" }, "a=1" as never)).rejects.toThrow(/must not be a string/);
    await expect(encodeMultipart({ f: ["n", "x", "text/plain\r\nX: y"] })).rejects.toThrow(TypeError);
    await expect(encodeMultipart({ f: ["n", "x", null, { "Bad Name": "v" }] })).rejects.toThrow(TypeError);
    await expect(encodeMultipart({ f: "x" }, null, { boundary: "a b\r\n" })).rejects.toThrow(/boundary/);
    await expect(encodeMultipart({ f: 42 as never })).rejects.toThrow(TypeError);
  });
});

describe("bodyFromData", () => {
  it("sends strings as UTF-8 with no content type (requests 2.34.2)", () => {
    const b = bodyFromData("héllo");
    expect(b.body).toEqual(new TextEncoder().encode("héllo"));
    expect(b.length).toBe(6);
    expect(b.contentType).toBeUndefined();
    expect(b.replayable).toBe(true);
  });

  it("sends bytes as they are, from any ArrayBuffer view", () => {
    const bytes = new Uint8Array([1, 2, 3, 4]);
    expect(bodyFromData(bytes).body).toBe(bytes);
    expect(bodyFromData(bytes.buffer).body).toEqual(bytes);
    expect(bodyFromData(new DataView(bytes.buffer, 1, 2)).body).toEqual(new Uint8Array([2, 3]));
    expect(bodyFromData(new Uint16Array([0x0201])).length).toBe(2);
  });

  it("treats empty data as no body, as requests does", () => {
    for (const empty of [undefined, null, "", new Uint8Array(0), {}, [], new URLSearchParams()]) {
      const b = bodyFromData(empty);
      expect(b.body).toBeNull();
      expect(b.length).toBe(0);
      expect(b.contentType).toBeUndefined();
    }
  });

  it("form-encodes objects, pairs, Maps and URLSearchParams", () => {
    for (const form of [
      { q: "a b", n: 1 },
      [
        ["q", "a b"],
        ["n", 1],
      ] as const,
      new Map<string, string | number>([
        ["q", "a b"],
        ["n", 1],
      ]),
      new URLSearchParams("q=a+b&n=1"),
    ]) {
      const b = bodyFromData(form);
      expect(text(b.body)).toBe("q=a+b&n=1");
      expect(b.contentType).toBe("application/x-www-form-urlencoded");
      expect(b.length).toBe(9);
    }
  });

  it("reads a Blob when sent, as often as needed, with its type", async () => {
    const b = bodyFromData(new Blob(["blob body"], { type: "text/plain" }));
    expect(b.length).toBe(9);
    expect(b.contentType).toBe("text/plain");
    expect(b.replayable).toBe(true);
    expect(text(await collect(b.body))).toBe("blob body");
    expect(text(await collect(b.body))).toBe("blob body");
    expect(bodyFromData(new Blob([])).body).toBeNull();
  });

  it("streams async iterables, Node Readables, ReadableStreams and generators as one-shot bodies", async () => {
    const rs = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode("a"));
        c.enqueue("b");
        c.close();
      },
    });
    function* gen() {
      yield "a";
      yield new Uint8Array([98]);
    }
    async function* agen() {
      yield "a";
      yield Buffer.from("b");
    }
    for (const source of [rs, gen(), agen(), Readable.from([Buffer.from("a"), Buffer.from("b")])]) {
      const b = bodyFromData(source);
      expect(b.length).toBeUndefined();
      expect(b.replayable).toBe(false);
      expect(text(await collect(b.body))).toBe("ab");
    }
  });

  it("cancels a ReadableStream that is abandoned part way", async () => {
    let cancelled = false;
    const rs = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new Uint8Array([1]));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const _ of bodyFromData(rs).body as AsyncIterable<Uint8Array>) break;
    await new Promise((r) => setTimeout(r, 0));
    expect(cancelled).toBe(true);
  });

  it("rejects stream chunks that are not bytes", async () => {
    async function* bad() {
      yield 5;
    }
    await expect(collect(bodyFromData(bad() as never).body)).rejects.toThrow(/bytes or strings/);
  });

  it("rejects numbers, FormData and other objects", () => {
    expect(() => bodyFromData(5 as never)).toThrow(TypeError);
    expect(() => bodyFromData(new FormData() as never)).toThrow(/files/);
    expect(() => bodyFromData(new (class Thing {})() as never)).toThrow(/Thing/);
  });
});

describe("basicAuth", () => {
  it("encodes user:pass as base64 of its UTF-8 bytes (RFC 7617 charset=UTF-8)", () => {
    expect(basicAuth("user", "pass")).toBe("Basic dXNlcjpwYXNz");
    // ü and ä in UTF-8 (c3 bc, c3 a4), not in ISO-8859-1 as requests sends them ("/HNlcjpw5HNz")
    expect(basicAuth("üser", "päss")).toBe("Basic w7xzZXI6cMOkc3M=");
    expect(basicAuth("user", "pass€")).toBe("Basic dXNlcjpwYXNz4oKs");
  });
});
