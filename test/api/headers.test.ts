import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { CaseInsensitiveDict, fromRawFields } from "../../src/api/headers.js";

describe("CaseInsensitiveDict", () => {
  it("looks names up in any case and shows the case they were last set with", () => {
    const h = new CaseInsensitiveDict({ "content-type": "text/plain" });
    expect(h.get("Content-Type")).toBe("text/plain");
    expect(h.get("CONTENT-TYPE")).toBe("text/plain");
    h.set("Content-TYPE", "application/json");
    expect(h.size).toBe(1);
    expect([...h.keys()]).toEqual(["Content-TYPE"]);
    expect(h.get("content-type")).toBe("application/json");
  });

  it("keeps each name at the position where it was first set", () => {
    const h = new CaseInsensitiveDict([
      ["A", "1"],
      ["B", "2"],
    ]);
    h.set("a", "3");
    expect([...h]).toEqual([
      ["a", "3"],
      ["B", "2"],
    ]);
  });

  it("returns undefined or the fallback for a missing name", () => {
    const h = new CaseInsensitiveDict();
    expect(h.get("x")).toBeUndefined();
    expect(h.get("x", "fallback")).toBe("fallback");
    expect(h.get("x", null)).toBeNull();
  });

  it("builds from pairs, a Map, fetch Headers and another dict; the last of a repeated name wins", () => {
    expect(
      new CaseInsensitiveDict([
        ["X-A", "1"],
        ["x-a", "2"],
      ]).toJSON(),
    ).toEqual({ "x-a": "2" });
    expect(new CaseInsensitiveDict(new Map([["Accept", "*/*"]])).get("accept")).toBe("*/*");
    const fetchHeaders = new Headers({ "X-Token": "t" });
    expect(new CaseInsensitiveDict(fetchHeaders).get("X-TOKEN")).toBe("t");
    const original = new CaseInsensitiveDict({ Host: "h" });
    const copy = new CaseInsensitiveDict(original);
    copy.set("host", "other");
    expect(original.get("host")).toBe("h");
  });

  it("skips null and undefined values of a plain object and rejects other non-strings", () => {
    const h = new CaseInsensitiveDict({ A: "1", B: undefined, C: null });
    expect([...h.keys()]).toEqual(["A"]);
    expect(() => new CaseInsensitiveDict({ "Content-Length": 5 } as never)).toThrow(TypeError);
    expect(() => h.set("X", 1 as never)).toThrow(/must be a string/);
    expect(() => new CaseInsensitiveDict([["only-name"]] as never)).toThrow(TypeError);
  });

  it("deletes in any case and reports whether the name was there", () => {
    const h = new CaseInsensitiveDict({ "X-A": "1" });
    expect(h.has("x-a")).toBe(true);
    expect(h.delete("X-a")).toBe(true);
    expect(h.delete("x-a")).toBe(false);
    expect(h.has("X-A")).toBe(false);
    expect(h.size).toBe(0);
  });

  it("iterates keys, values, entries and lower-case items", () => {
    const h = new CaseInsensitiveDict({ Accept: "*/*", "X-Id": "7" });
    expect([...h.keys()]).toEqual(["Accept", "X-Id"]);
    expect([...h.values()]).toEqual(["*/*", "7"]);
    expect([...h.entries()]).toEqual([
      ["Accept", "*/*"],
      ["X-Id", "7"],
    ]);
    expect([...h.lowerItems()]).toEqual([
      ["accept", "*/*"],
      ["x-id", "7"],
    ]);
  });

  it("serializes to a plain object, including a header named __proto__", () => {
    const h = new CaseInsensitiveDict({ Accept: "*/*" });
    h.set("__proto__", "odd");
    expect(JSON.stringify(h)).toBe('{"Accept":"*/*","__proto__":"odd"}');
    expect(Object.getPrototypeOf(h.toJSON())).toBe(Object.prototype);
  });

  it("copies independently", () => {
    const h = new CaseInsensitiveDict({ A: "1" });
    const c = h.copy();
    c.set("a", "2");
    c.set("B", "3");
    expect(h.toJSON()).toEqual({ A: "1" });
    expect(c.toJSON()).toEqual({ a: "2", B: "3" });
  });

  it("updates from another source like dict.update", () => {
    const h = new CaseInsensitiveDict({ A: "1", B: "2" });
    h.update({ b: "3", C: "4" });
    expect(h.toJSON()).toEqual({ A: "1", b: "3", C: "4" });
    h.clear();
    expect(h.size).toBe(0);
  });

  it("shows its headers in util.inspect", () => {
    expect(inspect(new CaseInsensitiveDict({ Accept: "*/*" }))).toBe("CaseInsensitiveDict { Accept: '*/*' }");
    expect(inspect(CaseInsensitiveDict.proxied({ Accept: "*/*" }))).toBe("CaseInsensitiveDict { Accept: '*/*' }");
  });
});

describe("CaseInsensitiveDict.proxied", () => {
  it("reads and writes headers as properties in any case", () => {
    const h = CaseInsensitiveDict.proxied({ "Content-Type": "text/html" });
    expect(h["content-type"]).toBe("text/html");
    h["CONTENT-TYPE"] = "text/plain";
    expect(h.get("Content-Type")).toBe("text/plain");
    expect([...h.keys()]).toEqual(["CONTENT-TYPE"]);
    expect(h["x-missing"]).toBeUndefined();
  });

  it("deletes with delete and with null or undefined", () => {
    const h = CaseInsensitiveDict.proxied({ "X-A": "1", "X-B": "2", "X-C": "3" });
    delete h["x-a"];
    (h as Record<string, unknown>)["X-b"] = null;
    h["x-C"] = undefined;
    expect(h.size).toBe(0);
  });

  it("supports in, Object.keys, Object.entries and spreading, with original-case names", () => {
    const h = CaseInsensitiveDict.proxied([
      ["Accept", "*/*"],
      ["X-Request-Id", "abc"],
    ]);
    expect("accept" in h).toBe(true);
    expect("ACCEPT" in h).toBe(true);
    expect("x-other" in h).toBe(false);
    expect(Object.keys(h)).toEqual(["Accept", "X-Request-Id"]);
    expect(Object.entries(h)).toEqual([
      ["Accept", "*/*"],
      ["X-Request-Id", "abc"],
    ]);
    expect({ ...h }).toEqual({ Accept: "*/*", "X-Request-Id": "abc" });
    expect(JSON.stringify(h)).toBe('{"Accept":"*/*","X-Request-Id":"abc"}');
  });

  it("keeps every method working on the proxy", () => {
    const h = CaseInsensitiveDict.proxied({ A: "1" });
    h.set("B", "2").append("b", "3");
    expect(h.get("b")).toBe("2, 3");
    expect(h.getAll("B")).toEqual(["2", "3"]);
    expect(h.has("a")).toBe(true);
    expect(h.size).toBe(2);
    expect([...h]).toEqual([
      ["A", "1"],
      ["B", "2, 3"],
    ]);
    expect(h instanceof CaseInsensitiveDict).toBe(true);
    // The same bound function each time, so calls cost no new allocation.
    expect(h.get).toBe(h.get);
  });

  it("gives class members precedence over headers of the same name", () => {
    const h = CaseInsensitiveDict.proxied({ size: "big", Accept: "*/*" });
    expect(h.size).toBe(2);
    expect(h.get("size")).toBe("big");
    expect(Object.keys(h)).toEqual(["Accept"]);
    expect(() => {
      (h as Record<string, unknown>).get = "x";
    }).toThrow(TypeError);
  });

  it("rejects non-string values assigned as properties", () => {
    const h = CaseInsensitiveDict.proxied();
    expect(() => {
      (h as Record<string, unknown>)["Content-Length"] = 5;
    }).toThrow(TypeError);
  });

  it("copies into another proxied dict, and a proxy can seed a plain dict", () => {
    const h = CaseInsensitiveDict.proxied({ "X-A": "1" });
    const c = h.copy();
    c["x-a"] = "2";
    expect(h["X-A"]).toBe("1");
    expect(c["X-A"]).toBe("2");
    expect(new CaseInsensitiveDict(h).toJSON()).toEqual({ "X-A": "1" });
  });
});

describe("fromRawFields", () => {
  const raw: Array<[string, string]> = [
    ["Content-Type", "text/html"],
    ["Set-Cookie", "a=1; Path=/"],
    ["Vary", "Accept"],
    ["set-cookie", "b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT"],
    ["vary", "Origin"],
  ];

  it("joins repeated fields with ', ' and keeps the case of the first occurrence, as urllib3 does", () => {
    const h = fromRawFields(raw);
    expect(h.toJSON()).toEqual({
      "Content-Type": "text/html",
      "Set-Cookie": "a=1; Path=/, b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
      Vary: "Accept, Origin",
    });
  });

  it("keeps each Set-Cookie retrievable on its own", () => {
    const h = fromRawFields(raw);
    expect(h.getAll("set-cookie")).toEqual(["a=1; Path=/", "b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT"]);
    expect(h.getAll("content-type")).toEqual(["text/html"]);
    expect(h.getAll("x-missing")).toEqual([]);
  });

  it("forgets the separate values once a name is set or deleted, and copies them with the dict", () => {
    const h = fromRawFields(raw);
    expect(h.copy().getAll("Set-Cookie")).toHaveLength(2);
    h.set("Set-Cookie", "c=3");
    expect(h.getAll("set-cookie")).toEqual(["c=3"]);
    h.delete("vary");
    h.append("Vary", "X");
    expect(h.getAll("vary")).toEqual(["X"]);
  });

  it("can return a proxied dict", () => {
    const h = fromRawFields(raw, { proxied: true });
    expect(h["content-type"]).toBe("text/html");
    expect(h.getAll("SET-COOKIE")).toHaveLength(2);
  });
});

describe("response headers read from the received fields (CaseInsensitiveDict._fromReceived)", () => {
  const FIELDS: Array<[string, string]> = [
    ["Content-Type", "text/plain"],
    ["Set-Cookie", "a=1"],
    ["X-Multi", "one"],
    ["set-cookie", "b=2"],
    ["x-multi", "two"],
  ];
  /** The engine's field section over these fields, counting how often all of them are copied. */
  function received() {
    const section = { copies: 0, fields: FIELDS };
    const fields = {
      indexOf: (name: string) => FIELDS.findIndex(([n]) => n.toLowerCase() === name),
      get: (name: string) => {
        const all = FIELDS.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
        return all.length === 0 ? undefined : all.join(", ");
      },
      entries: () => {
        section.copies++;
        return FIELDS;
      },
    };
    return { section, dict: CaseInsensitiveDict._fromReceived(fields) };
  }
  /** The same headers built eagerly, the reference for every behaviour. */
  const eager = () => fromRawFields(FIELDS, { proxied: true });

  it("answers get, has and bracket reads by name without copying the fields", () => {
    const { section, dict } = received();
    expect(dict["content-type"]).toBe("text/plain");
    expect(dict.get("X-MULTI")).toBe("one, two");
    expect(dict.has("set-cookie")).toBe(true);
    expect(dict.has("absent")).toBe(false);
    expect(dict.get("absent", "fallback")).toBe("fallback");
    expect(section.copies).toBe(0);
  });

  it("behaves as the eagerly built dict for everything else, copying the fields once", () => {
    const runs: Array<(h: ReturnType<typeof eager>) => unknown> = [
      (h) => [...h],
      (h) => h.size,
      (h) => h.getAll("set-cookie"),
      (h) => Object.keys(h),
      (h) => h.toJSON(),
      (h) => [...h.copy()],
      (h) => [...new CaseInsensitiveDict(h)],
      (h) => [...h.lowerItems()],
    ];
    for (const run of runs) {
      const { section, dict } = received();
      expect(run(dict)).toEqual(run(eager()));
      expect(section.copies).toBe(1);
    }
  });

  it("copies the fields in before a change, so set, delete and clear act on all of them", () => {
    const mutations: Array<(h: ReturnType<typeof eager>) => void> = [
      (h) => h.set("x-multi", "three"),
      (h) => h.delete("Set-Cookie"),
      (h) => h.append("X-Multi", "three"),
      (h) => h.update({ "content-type": "a/b" }),
      (h) => {
        h["x-new"] = "1";
      },
      (h) => h.clear(),
    ];
    for (const mutate of mutations) {
      const { dict } = received();
      const reference = eager();
      mutate(dict);
      mutate(reference);
      expect([...dict]).toEqual([...reference]);
      expect(dict.getAll("set-cookie")).toEqual(reference.getAll("set-cookie"));
      expect(dict.getAll("x-multi")).toEqual(reference.getAll("x-multi"));
    }
  });
});

describe("copies share their store until one of them changes", () => {
  const build = () =>
    fromRawFields([
      ["Accept", "*/*"],
      ["Set-Cookie", "a=1"],
      ["set-cookie", "b=2"],
    ]);
  const snapshot = (h: CaseInsensitiveDict) => ({ pairs: [...h], cookies: h.getAll("set-cookie") });

  it("a change to either side never shows on the other: set, append, delete, update, clear", () => {
    const changes: Array<(h: CaseInsensitiveDict) => void> = [
      (h) => h.set("accept", "text/html"),
      (h) => h.append("Set-Cookie", "c=3"),
      (h) => h.delete("set-cookie"),
      (h) => h.update({ "X-New": "1" }),
      (h) => h.update(new CaseInsensitiveDict({ Accept: "x" })),
      (h) => h.clear(),
    ];
    for (const change of changes) {
      for (const side of ["original", "copy"] as const) {
        const original = build();
        const copy = new CaseInsensitiveDict(original);
        const copyOfCopy = copy.copy();
        const before = snapshot(original);
        change(side === "original" ? original : copy);
        const untouched = side === "original" ? [copy, copyOfCopy] : [original, copyOfCopy];
        for (const h of untouched) expect(snapshot(h)).toEqual(before);
        const changed = side === "original" ? original : copy;
        const reference = build();
        change(reference);
        expect(snapshot(changed)).toEqual(snapshot(reference));
      }
    }
  });

  it("a request's headers are a snapshot of the session's", async () => {
    const { Session } = await import("../../src/index.js");
    const s = new Session();
    try {
      const prepared = await s.prepare_request("GET", "http://127.0.0.1:9/x");
      s.headers["X-Later"] = "1";
      s.headers["User-Agent"] = "changed";
      expect(prepared.headers["x-later"]).toBeUndefined();
      expect(prepared.headers["user-agent"]).not.toBe("changed");
      prepared.headers["X-Mine"] = "2";
      expect(s.headers["x-mine"]).toBeUndefined();
    } finally {
      s.close();
    }
  });
});
