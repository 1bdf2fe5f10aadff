// reqwire's response parser against Node's own llhttp, on generated response streams.
//
// Every case is fed to llhttp in one piece and to reqwire twice (in one piece, and cut at random
// places). The two must agree on accept/reject, status codes, header names and values, bodies,
// trailers, keep-alive and which messages complete; reqwire must not depend on the cuts. Where
// they disagree, the difference must be one of the listed categories (compare.ts, CATEGORIES),
// each found in the input and backed by the RFC; anything else fails the test with the input
// and both results.
//
//   REQWIRE_DIFF_N=200000 REQWIRE_DIFF_SEED=7 npx vitest run test/core/differential.test.ts
import { describe, expect, it } from "vitest";
import { CATEGORIES, Differ, LLHTTP_VERSION, type Outcome } from "./compare.js";
import { caseSeed, type GenCase, generateCase, latin1Bytes } from "./gen.js";

const N = Number(process.env.REQWIRE_DIFF_N ?? 20000);
const SEED = Number(process.env.REQWIRE_DIFF_SEED ?? 1);

function stream(text: string, head = false): GenCase {
  const input = latin1Bytes(text);
  return { input, head, cuts: [...input.keys()].slice(1), kind: "handmade", notes: [] };
}

describe(`reqwire and llhttp ${LLHTTP_VERSION}`, () => {
  it(`agree on ${N} generated streams (seed ${SEED}), but for the listed differences`, () => {
    const d = new Differ();
    const failures: string[] = [];
    const started = performance.now();
    for (let i = 0; i < N; i++) {
      const v = d.check(generateCase(caseSeed(SEED, i)));
      if (v.detail !== undefined) failures.push(`case ${i} of seed ${SEED} (${v.status}): ${v.detail}`);
    }
    const s = d.stats;
    console.log(
      [
        `${N} cases in ${((performance.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(s.byStatus)}, kinds ${JSON.stringify(s.byKind)}, ${s.accepted} accepted by reqwire`,
        "explained differences per category:",
        s.table(),
      ].join("\n"),
    );
    // HTTP/1.0 responses with Transfer-Encoding were met, and read alike with the connection closed after them
    expect(s.http10Chunked.same).toBeGreaterThan(0);
    expect(failures.slice(0, 5).join("\n\n")).toBe("");
    expect(failures).toHaveLength(0);
  });

  // One stream per category, to show each difference really happens and is classified as itself.
  const examples: Record<string, string> = {
    "obs-fold": "HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 0\r\n\r\n",
    "content-length-identical-duplicates": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nhi",
    "content-length-above-2^53-1": "HTTP/1.1 204 No Content\r\nContent-Length: 9007199254740992\r\n\r\n",
    "chunked-applied-twice": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    "bare-cr-before-status-line": "\r\n\rHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    "status-code-first-digit-0": "HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\n",
    "control-characters-in-reason-phrase": "HTTP/1.1 200 O\x01K\r\nContent-Length: 0\r\n\r\n",
    "http-version-not-1.x": "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n",
    "bare-cr-after-status-line": "HTTP/1.1 200 OK\r\rContent-Length: 0\r\n\r\n",
    "transfer-encoding-empty-list-element":
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked,\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    "http10-close-and-keep-alive": "HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n",
    "http10-transfer-encoding-keep-alive":
      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    "htab-as-ows-in-framing-fields": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\t\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    "informational-response-without-keep-alive":
      "HTTP/1.0 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    "framing-fields-in-1xx-or-trailers":
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nContent-Length: 5\r\n\r\n",
    "chunk-extension-bws": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2; a = b\r\nhi\r\n0\r\n\r\n",
    "chunk-extension-empty-name": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;=b\r\nhi\r\n0\r\n\r\n",
    "http-version-1.2-to-1.9": "HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n",
  };

  it("has an example for every category but chunk-size-above-2^53-1", () => {
    expect(Object.keys(examples).sort()).toEqual(
      CATEGORIES.map((c) => c.name)
        .filter((n) => n !== "chunk-size-above-2^53-1")
        .sort(),
    );
  });

  for (const [name, text] of Object.entries(examples)) {
    it(`explains ${name} as exactly that`, () => {
      const v = new Differ().check(stream(text));
      expect(v.detail ?? "").toBe("");
      expect(v.status).toBe("explained");
      expect(v.categories).toEqual([name]);
    });
  }

  it("explains a trailer Connection: close as framing-fields-in-1xx-or-trailers", () => {
    const text =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nConnection: close\r\n\r\nHTTP/1.1 204 OK\r\n\r\n";
    const v = new Differ().check(stream(text));
    expect(v.categories).toEqual(["framing-fields-in-1xx-or-trailers"]);
    expect(v.reqwire?.messages).toHaveLength(2);
    expect(v.llhttp?.messages).toHaveLength(1);
  });

  it("cannot show a chunk size above 2^53-1 as a difference: llhttp fails at EOF instead", () => {
    const text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20000000000000\r\nhi";
    const v = new Differ().check(stream(text));
    expect(v.status).toBe("agree");
    expect(v.reqwire?.error).toBe("CHUNK_SIZE_OVERFLOW");
    expect(v.llhttp?.error).toBe("HPE_INVALID_EOF_STATE");
  });

  it("explains several differences in one stream", () => {
    const text =
      "\rHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 O\x7fK\r\nTransfer-Encoding: chunked\t\r\n\r\n2\r\nhi\r\n0\r\n\r\n";
    const v = new Differ().check(stream(text));
    expect(v.status).toBe("explained");
    expect(new Set(v.categories)).toEqual(
      new Set(["bare-cr-before-status-line", "control-characters-in-reason-phrase", "htab-as-ows-in-framing-fields"]),
    );
  });

  it("counts a stream both reject as agreement, whatever the reasons", () => {
    // reqwire stops at the bare CR, llhttp at the obs-fold: error codes are not compared
    const v = new Differ().check(stream("\rHTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n"));
    expect(v.status).toBe("agree");
    expect([v.reqwire?.error, v.llhttp?.error]).toEqual(["LF_EXPECTED", "HPE_INVALID_HEADER_TOKEN"]);
  });

  it("agrees on HTTP/1.0 with Transfer-Encoding: decoded, and the connection is not kept", () => {
    const v = new Differ().check(
      stream("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\nHTTP/1.0 200 OK\r\n\r\n"),
    );
    expect(v.status).toBe("agree");
    expect(v.reqwire?.messages.map((m) => [m.body, m.keepAlive])).toEqual([["hi", false]]);
    expect(v.llhttp?.messages.map((m) => [m.body, m.keepAlive])).toEqual([["hi", false]]);
  });

  it("agrees on empty lines before a status line: leading, after a 1xx, between responses", () => {
    const d = new Differ();
    for (const text of [
      "\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
      "\n\r\n\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
      "HTTP/1.1 100 Continue\r\n\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi\r\n\r\nHTTP/1.1 204 OK\r\n\r\n\r\n",
    ]) {
      const v = d.check(stream(text));
      expect(v.status, JSON.stringify(text)).toBe("agree");
      expect(v.reqwire?.error, JSON.stringify(text)).toBeNull();
    }
  });

  it("agrees on HEAD responses, pipelined responses and 1xx", () => {
    const d = new Differ();
    const head = d.check(stream("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 304 OK\r\n\r\n", true));
    expect(head.status).toBe("agree");
    expect(head.reqwire?.messages).toHaveLength(2);
    const pipelined = d.check(
      stream(
        "HTTP/1.1 103 Early\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1 204 OK\r\n\r\n",
      ),
    );
    expect(pipelined.status).toBe("agree");
    expect(pipelined.reqwire?.messages.map((m) => [m.informational.length, m.head.status, m.body])).toEqual([
      [1, 200, "hi"],
      [0, 204, ""],
    ]);
  });

  it("does not explain a difference that no category covers", () => {
    // the classifier itself: a reqwire result with one body byte changed must stay unexplained
    const d = new Differ();
    const text = "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 2\r\n\r\nhi";
    const gc = stream(text);
    const real = d.reqwire.run(gc.input, [], false);
    const forged: Outcome = {
      ...real,
      messages: real.messages.map((m) => ({ ...m, body: "ho" })),
    };
    const ll = d.llhttp.run(gc.input, false);
    expect(d.explain(text, false, real, ll)).toEqual(["obs-fold"]);
    expect(d.explain(text, false, forged, ll)).toBeNull();
  });
});
