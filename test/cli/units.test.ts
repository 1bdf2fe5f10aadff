// The CLI's pure parts, without a subprocess: argument and item parsing, JSON formatting, file
// names for --download, and the progress display driven by a fake clock.
import { describe, expect, it } from "vitest";
import { completeUrl, parseArgs, UsageError } from "../../src/cli/args.js";
import { contentDispositionFilename, numbered, safeFilename, urlFilename } from "../../src/cli/download.js";
import { colorJson, formatJson, isBinary, isJsonType } from "../../src/cli/format.js";
import { parseItem } from "../../src/cli/items.js";
import { clock, DownloadProgress, humanBytes } from "../../src/cli/progress.js";
import { visible } from "./helpers.js";

function run(argv: string[]) {
  const c = parseArgs(argv);
  if (c.kind !== "run") throw new Error(`not a run: ${c.kind}`);
  return c.options;
}

describe("items", () => {
  it("the first separator decides; at one position the longest wins", () => {
    expect(parseItem("a=b")).toEqual({ kind: "data", name: "a", value: "b" });
    expect(parseItem("a==b")).toEqual({ kind: "query", name: "a", value: "b" });
    expect(parseItem("a:=[1]")).toEqual({ kind: "json", name: "a", value: [1] });
    expect(parseItem("a=@f.txt")).toEqual({ kind: "data-file", name: "a", path: "f.txt" });
    expect(parseItem("a:=@f.json")).toEqual({ kind: "json-file", name: "a", path: "f.json" });
    expect(parseItem("a@f.csv;type=text/csv")).toEqual({ kind: "file", name: "a", path: "f.csv", type: "text/csv" });
    expect(parseItem("X-A:b=c")).toEqual({ kind: "header", name: "X-A", value: "b=c" });
    expect(parseItem("Cookie:a=1; b=2")).toEqual({ kind: "header", name: "Cookie", value: "a=1; b=2" });
    expect(parseItem("X-A:")).toEqual({ kind: "header", name: "X-A", value: null });
    expect(parseItem("X-A;")).toEqual({ kind: "header", name: "X-A", value: "" });
    expect(parseItem("url==http://x/?a=b")).toEqual({ kind: "query", name: "url", value: "http://x/?a=b" });
    expect(parseItem("email=me@example.org")).toEqual({ kind: "data", name: "email", value: "me@example.org" });
  });

  it("a backslash escapes a separator in the key", () => {
    expect(parseItem("a\\:b=c")).toEqual({ kind: "data", name: "a:b", value: "c" });
    expect(parseItem("me\\@x=1")).toEqual({ kind: "data", name: "me@x", value: "1" });
    expect(parseItem("a\\\\=b")).toEqual({ kind: "data", name: "a\\", value: "b" });
  });

  it("malformed items are usage errors", () => {
    for (const bad of ["plain", "=v", "a:=nope", "X;v", "f@", "a=@"]) {
      expect(() => parseItem(bad), bad).toThrow(UsageError);
    }
  });
});

describe("arguments", () => {
  it("METHOD is recognised when a URL follows; 'localhost' is a URL", () => {
    expect(run(["get", "x.test"])).toMatchObject({ method: "GET", url: "http://x.test" });
    expect(run(["PURGE", "x.test"])).toMatchObject({ method: "PURGE", url: "http://x.test" });
    expect(run(["localhost", "a=1"])).toMatchObject({ method: undefined, url: "http://localhost" });
    expect(run(["GET"])).toMatchObject({ method: undefined, url: "http://GET" });
  });

  it("URLs are completed as httpie does", () => {
    expect(completeUrl(":3000/x")).toBe("http://localhost:3000/x");
    expect(completeUrl(":/x")).toBe("http://localhost/x");
    expect(completeUrl(":")).toBe("http://localhost");
    expect(completeUrl("127.0.0.1:8080/a")).toBe("http://127.0.0.1:8080/a");
    expect(completeUrl("https://h/")).toBe("https://h/");
  });

  it("options anywhere, with values attached or apart, short flags grouped", () => {
    const o = run(["x.test", "-vF", "--timeout=2.5", "-auser:pw", "a=1", "--max-redirects", "4", "-o", "f"]);
    expect(o).toMatchObject({
      print: "HBhb",
      follow: true,
      timeout: 2.5,
      auth: ["user", "pw"],
      maxRedirects: 4,
      output: "f",
    });
    expect(o.items).toHaveLength(1);
    expect(run(["--verify=ca.pem", "x"]).verify).toBe("ca.pem");
    expect(run(["--no-verify", "x"]).verify).toBe(false);
    expect(run(["--verify", "x"]).verify).toBe(true);
    expect(run(["--", "-weird-url"]).url).toBe("http://-weird-url");
  });

  it("-h alone is help; --help and --version win", () => {
    expect(parseArgs(["-h"]).kind).toBe("help");
    expect(parseArgs(["x", "--help"]).kind).toBe("help");
    expect(parseArgs(["--version"]).kind).toBe("version");
    expect(run(["-h", "x"]).print).toBe("h");
  });

  it("bad arguments are usage errors", () => {
    for (const argv of [
      [],
      ["--what", "x"],
      ["x", "--timeout", "-1"],
      ["x", "--print=q"],
      ["x", "--pretty=loud"],
      ["x", "--form=1"],
      ["x", "-f", "-j"],
      ["x", "-a"],
    ]) {
      expect(() => parseArgs(argv), argv.join(" ")).toThrow(UsageError);
    }
  });
});

describe("formatting", () => {
  it("JSON is indented by 4 with tokens kept as written", () => {
    expect(formatJson('{"a":1.50,"b":[1,{"c":null}],"d":{},"e":[]}')).toBe(
      '{\n    "a": 1.50,\n    "b": [\n        1,\n        {\n            "c": null\n        }\n    ],\n    "d": {},\n    "e": []\n}',
    );
    expect(formatJson(' "text" ')).toBe('"text"');
    expect(formatJson("\ufeff[1]")).toBe("[\n    1\n]");
    for (const bad of ["", "{", "[1,]", "{a:1}", "01", "nul", '"\u0001"', "[1] x"]) {
      expect(formatJson(bad), bad).toBeUndefined();
    }
    expect(formatJson(`${"[".repeat(100_000)}${"]".repeat(100_000)}`)).toBeUndefined();
  });

  it("colours tell keys from string values", () => {
    const c = formatJson('{"k":"v","n":1,"t":true}', 4, true) as string;
    expect(c).toContain('\u001b[1;34m"k"\u001b[0m: \u001b[33m"v"\u001b[0m');
    expect(c).toContain("\u001b[36m1\u001b[0m");
    expect(c).toContain("\u001b[35mtrue\u001b[0m");
    expect(colorJson('{"k" : "v"}')).toBe('{\u001b[1;34m"k"\u001b[0m : \u001b[33m"v"\u001b[0m}');
  });

  it("JSON media types and binary bodies", () => {
    expect(isJsonType("application/json; charset=utf-8")).toBe(true);
    expect(isJsonType("application/problem+json")).toBe(true);
    expect(isJsonType("text/json")).toBe(true);
    expect(isJsonType("text/html")).toBe(false);
    expect(isJsonType(undefined)).toBe(false);
    expect(isBinary(new Uint8Array([104, 0, 105]))).toBe(true);
    expect(isBinary(new TextEncoder().encode("naïve"))).toBe(false);
  });
});

describe("download names", () => {
  it("Content-Disposition: filename* first, then filename; made safe", () => {
    expect(contentDispositionFilename(`attachment; filename="a.txt"; filename*=UTF-8''%E2%82%AC%20rates.txt`)).toBe(
      "€ rates.txt",
    );
    expect(contentDispositionFilename(`attachment; filename*=iso-8859-1'en'%A3%20rates.txt`)).toBe("£ rates.txt");
    expect(contentDispositionFilename('attachment; filename="say \\"hi\\".txt"')).toBe('say "hi".txt');
    expect(contentDispositionFilename("attachment; filename=plain.bin")).toBe("plain.bin");
    expect(contentDispositionFilename('attachment; filename="../../.ssh/authorized_keys"')).toBe("authorized_keys");
    expect(contentDispositionFilename('attachment; filename="..\\\\..\\\\win.ini"')).toBe("win.ini");
    expect(contentDispositionFilename('attachment; filename=".."')).toBeUndefined();
    expect(contentDispositionFilename("inline")).toBeUndefined();
    expect(contentDispositionFilename(undefined)).toBeUndefined();
  });

  it("the URL's last segment, else index, with an extension from the type", () => {
    expect(urlFilename("http://h/a/b/report%20v2.pdf?x=1", "application/pdf")).toBe("report v2.pdf");
    expect(urlFilename("http://h/a/data/", "application/json")).toBe("data.json");
    expect(urlFilename("http://h/", "text/html; charset=utf-8")).toBe("index.html");
    expect(urlFilename("http://h/", undefined)).toBe("index");
    expect(urlFilename("http://h/.hidden", undefined)).toBe("hidden");
    expect(safeFilename("a\u0000b\nc")).toBe("abc");
  });

  it("numbered copies go before the extension", () => {
    expect(numbered("a.txt", 0)).toBe("a.txt");
    expect(numbered("a.txt", 2)).toBe("a-2.txt");
    expect(numbered("a.tar.gz", 1)).toBe("a-1.tar.gz");
    expect(numbered("README", 1)).toBe("README-1");
  });
});

describe("progress", () => {
  it("sizes and durations", () => {
    expect(humanBytes(0)).toBe("0 B");
    expect(humanBytes(1023)).toBe("1023 B");
    expect(humanBytes(1536)).toBe("1.50 kB");
    expect(humanBytes(5 * 1024 * 1024)).toBe("5.00 MB");
    expect(clock(0)).toBe("0:00");
    expect(clock(75)).toBe("1:15");
    expect(clock(3725)).toBe("1:02:05");
  });

  function fake(isTTY: boolean) {
    let now = 0;
    const out: string[] = [];
    const p = new DownloadProgress({ isTTY, columns: 100, write: (s) => out.push(s) }, "f.bin", () => now);
    return {
      p,
      out,
      at(ms: number) {
        now = ms;
      },
    };
  }

  it("on a terminal: redrawn with \\r at most every 100 ms, percentage, rate and ETA", () => {
    const { p, out, at } = fake(true);
    p.start(4096);
    at(50);
    p.update(1024, 4096); // too soon: not drawn
    at(1000);
    p.update(2048, 4096);
    at(1050);
    p.update(3072, 4096); // too soon
    at(2000);
    p.finish(4096);
    expect(out[0]).toBe('Downloading 4.00 kB to "f.bin"\n');
    const draws = out.filter((s) => s.startsWith("\r")).map(visible);
    expect(draws).toHaveLength(3);
    expect(draws[0]).toMatch(/^\r {2}0% \[>\s+\] 0 B \/ 4\.00 kB {2}0 B\/s⎋\[K$/);
    expect(draws[1]).toMatch(/^\r 50% \[=+>\s+\] 2\.00 kB \/ 4\.00 kB {2}2\.00 kB\/s {2}ETA 0:01⎋\[K$/);
    expect(draws[2]).toMatch(/^\r100% \[=+\] 4\.00 kB \/ 4\.00 kB {2}2\.00 kB\/s⎋\[K$/);
    expect(out.slice(-2)).toEqual(["\n", 'Done: 4.00 kB in 2.00 s (2.00 kB/s), saved to "f.bin"\n']);
  });

  it("elsewhere: a line a second at most, then the summary; no \\r, no escapes", () => {
    const { p, out, at } = fake(false);
    p.start(undefined);
    at(500);
    p.update(100, undefined);
    at(1000);
    p.update(2048, undefined);
    at(1500);
    p.update(3000, undefined);
    at(2000);
    p.finish(4096);
    expect(out).toEqual([
      'Downloading to "f.bin"\n',
      "  2.00 kB, 2.00 kB/s\n",
      'Done: 4.00 kB in 2.00 s (2.00 kB/s), saved to "f.bin"\n',
    ]);
  });

  it("abort ends the bar's line", () => {
    const { p, out } = fake(true);
    p.start(10);
    p.abort();
    expect(out.at(-1)).toBe("\n");
  });
});
