// Retry (src/api/call/retry.ts), urllib3's Retry in TypeScript: counters, method rules,
// status_forcelist, Retry-After, backoff, RetryError, raise_on_status and Retry.from.
import { describe, expect, it } from "vitest";
import { parseRetryAfter, Retry, type RetryAttempt, type RetryFailure } from "../../../src/api/call/retry.js";
import { ConnectionError, ConnectTimeout, ProtocolError, ReadTimeout, RetryError } from "../../../src/errors.js";

const URL_ = "http://127.0.0.1/x";

/** The error `fn` throws (fails when it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

/** Increments `n` times with the same attempt; returns the last Retry. */
function times(retry: Retry, n: number, attempt: RetryAttempt): Retry {
  let r = retry;
  for (let i = 0; i < n; i++) r = r.increment(attempt);
  return r;
}

const connectErr = (): RetryAttempt => ({ method: "GET", url: URL_, error: new ConnectTimeout("c"), kind: "connect" });
const readErr = (method = "GET"): RetryAttempt => ({ method, url: URL_, error: new ReadTimeout("r"), kind: "read" });
const otherErr = (method = "GET"): RetryAttempt => ({ method, url: URL_, error: new Error("o"), kind: "other" });
const status = (code: number, method = "GET"): RetryAttempt => ({ method, url: URL_, status: code });

describe("defaults", () => {
  it("follow urllib3", () => {
    const r = new Retry();
    expect(r.total).toBe(10);
    expect([r.connect, r.read, r.status, r.other]).toEqual([null, null, null, null]);
    expect(r.backoff_factor).toBe(0);
    expect(r.backoff_max).toBe(120);
    expect(r.backoff_jitter).toBe(0);
    expect([...r.status_forcelist]).toEqual([]);
    expect([...(r.allowed_methods ?? [])].sort()).toEqual(["DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE"]);
    expect([...Retry.DEFAULT_ALLOWED_METHODS].sort()).toEqual(["DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE"]);
    expect([...r.retry_after_status_codes].sort()).toEqual([413, 429, 503]);
    expect(r.respect_retry_after_header).toBe(true);
    expect(r.raise_on_status).toBe(true);
    expect(r.retry_after_max).toBe(21600);
    expect(r.history).toEqual([]);
    expect(r.isExhausted).toBe(false);
    expect(String(r)).toBe("Retry(total=10, connect=None, read=None, status=None, other=None)");
  });

  it("rejects counters that are not integers and negative or NaN seconds", () => {
    expect(() => new Retry({ total: 1.5 })).toThrow(RangeError);
    expect(() => new Retry({ status: Number.NaN })).toThrow(RangeError);
    expect(() => new Retry({ other: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => new Retry({ backoff_factor: -1 })).toThrow(RangeError);
    expect(() => new Retry({ backoff_jitter: Number.NaN })).toThrow(RangeError);
  });

  it("is immutable: increment returns a new Retry and leaves the old one as it was", () => {
    const r = new Retry({ total: 3 });
    const n = r.increment(connectErr());
    expect(n).not.toBe(r);
    expect(r.total).toBe(3);
    expect(r.history).toHaveLength(0);
    expect(n.total).toBe(2);
    expect(n.history).toHaveLength(1);
    expect(Object.isFrozen(n.history)).toBe(true);
  });

  it("keeps every option across increments", () => {
    const r = new Retry({
      total: 5,
      backoff_factor: 0.5,
      backoff_max: 7,
      backoff_jitter: 1,
      status_forcelist: [500],
      allowed_methods: ["post"],
      respect_retry_after_header: false,
      retry_after_status_codes: [418],
      retry_after_max: 9,
      raise_on_status: false,
    }).increment(status(500, "POST"));
    expect(r.backoff_factor).toBe(0.5);
    expect(r.backoff_max).toBe(7);
    expect(r.backoff_jitter).toBe(1);
    expect([...r.status_forcelist]).toEqual([500]);
    expect([...(r.allowed_methods ?? [])]).toEqual(["POST"]);
    expect(r.respect_retry_after_header).toBe(false);
    expect([...r.retry_after_status_codes]).toEqual([418]);
    expect(r.retry_after_max).toBe(9);
    expect(r.raise_on_status).toBe(false);
  });
});

describe("counters", () => {
  it("total: n retries, the (n+1)th failure throws RetryError", () => {
    const r = times(new Retry({ total: 3 }), 3, connectErr());
    expect(r.total).toBe(0);
    expect(r.isExhausted).toBe(false);
    expect(thrown(() => r.increment(connectErr()))).toBeInstanceOf(RetryError);
  });

  it("total 0 fails on the first failure", () => {
    expect(thrown(() => new Retry({ total: 0 }).increment(connectErr()))).toBeInstanceOf(RetryError);
  });

  it("total null: no limit from total, the per-kind counter limits", () => {
    const r = times(new Retry({ total: null }), 100, connectErr());
    expect(r.total).toBeNull();
    expect(r.history).toHaveLength(100);
    const c = times(new Retry({ total: null, connect: 2 }), 2, connectErr());
    expect(thrown(() => c.increment(connectErr()))).toBeInstanceOf(RetryError);
  });

  const kinds: Array<[RetryFailure, "connect" | "read" | "other", () => RetryAttempt]> = [
    ["connect", "connect", connectErr],
    ["read", "read", readErr],
    ["other", "other", otherErr],
  ];
  for (const [kind, counter, attempt] of kinds) {
    it(`${kind}: counts only ${kind} errors, exhausted below zero even when total is left`, () => {
      const r = times(new Retry({ total: 10, [counter]: 2 }), 2, attempt());
      expect(r[counter]).toBe(0);
      expect(r.total).toBe(8);
      // the other kinds do not touch this counter
      const others = kinds.filter(([k]) => k !== kind);
      let o = r;
      for (const [, , a] of others) o = o.increment(a());
      expect(o[counter]).toBe(0);
      const e = thrown(() => r.increment(attempt()));
      expect(e).toBeInstanceOf(RetryError);
      expect((e as RetryError).message).toMatch(
        /^Max retries exceeded with url: http:\/\/127\.0\.0\.1\/x \(Caused by /,
      );
    });
  }

  it("status: counts only status retries", () => {
    const r = new Retry({ total: 10, status: 1, status_forcelist: [500] });
    const n = r.increment(status(500));
    expect(n.status).toBe(0);
    expect(n.total).toBe(9);
    expect(n.increment(connectErr()).status).toBe(0);
    const e = thrown(() => n.increment(status(502)));
    expect(e).toBeInstanceOf(RetryError);
    expect((e as RetryError).message).toBe(
      "Max retries exceeded with url: http://127.0.0.1/x (Caused by too many 502 error responses)",
    );
    expect((e as RetryError).cause).toBeUndefined();
  });

  it("a counter at 0 is not exhausted; below 0 it is", () => {
    expect(new Retry({ total: 0, connect: 0, read: 0, status: 0, other: 0 }).isExhausted).toBe(false);
    expect(new Retry({ total: -1 }).isExhausted).toBe(true);
    expect(new Retry({ read: -1 }).isExhausted).toBe(true);
    expect(new Retry({ other: -1 }).isExhausted).toBe(true);
  });

  it("the kind is inferred from the error class when not given", () => {
    const base = new Retry({ total: 10, connect: 5, read: 5, other: 5 });
    expect(base.increment({ method: "GET", url: URL_, error: new ConnectTimeout("t") }).connect).toBe(4);
    expect(base.increment({ method: "GET", url: URL_, error: new ReadTimeout("t") }).read).toBe(4);
    expect(base.increment({ method: "GET", url: URL_, error: new ProtocolError("p") }).read).toBe(4);
    expect(base.increment({ method: "GET", url: URL_, error: new ConnectionError("x") }).other).toBe(4);
    expect(base.increment({ method: "GET", url: URL_, error: new TypeError("x") }).other).toBe(4);
  });

  it("an attempt with neither error nor status counts only total", () => {
    const n = new Retry({ total: 2, status: 1, other: 1 }).increment({ method: "GET", url: URL_ });
    expect([n.total, n.status, n.other]).toEqual([1, 1, 1]);
    expect(n.history).toEqual([{ method: "GET", url: URL_ }]);
  });

  it("records the history of attempts in order", () => {
    const err = new ConnectTimeout("c");
    const r = new Retry({ status_forcelist: [503] })
      .increment({ method: "GET", url: "http://a/1", error: err, kind: "connect" })
      .increment(status(503, "PUT"));
    expect(r.history).toEqual([
      { method: "GET", url: "http://a/1", error: err },
      { method: "PUT", url: URL_, status: 503 },
    ]);
  });
});

describe("method rules", () => {
  it("connect errors are retried for every method, POST included", () => {
    const r = new Retry({ total: 2 });
    for (const m of ["GET", "POST", "PATCH", "CONNECT"]) expect(r.mayRetryError(m, "connect")).toBe(true);
    expect(r.increment({ ...connectErr(), method: "POST" }).total).toBe(1);
  });

  it("read and other errors only for allowed methods; POST is rethrown as it is", () => {
    const r = new Retry();
    expect(r.mayRetryError("GET", "read")).toBe(true);
    expect(r.mayRetryError("get", "read")).toBe(true);
    expect(r.mayRetryError("POST", "read")).toBe(false);
    expect(r.mayRetryError("PATCH", "other")).toBe(false);
    expect(r.mayRetryError("DELETE", "other")).toBe(true);
    const err = new ReadTimeout("slow");
    expect(thrown(() => r.increment({ method: "POST", url: URL_, error: err, kind: "read" }))).toBe(err);
    const other = new Error("boom");
    expect(thrown(() => r.increment({ method: "PATCH", url: URL_, error: other, kind: "other" }))).toBe(other);
  });

  it("a kind refused without an error object throws a RetryError naming it", () => {
    const e = thrown(() => new Retry().increment({ method: "POST", url: URL_, kind: "read" }));
    expect(e).toBeInstanceOf(RetryError);
    expect((e as Error).message).toBe(`A read error is not retried for POST ${URL_}`);
  });

  it("POST is retried when listed in allowed_methods (any case)", () => {
    const r = new Retry({ allowed_methods: ["post"], status_forcelist: [500] });
    expect(r.mayRetryError("POST", "read")).toBe(true);
    expect(r.isRetry("POST", 500, false)).toBe(true);
    expect(r.isRetry("GET", 500, false)).toBe(false);
    expect(r.increment(readErr("POST")).total).toBe(9);
  });

  it("allowed_methods null: any method; empty: none", () => {
    const any = new Retry({ allowed_methods: null, status_forcelist: [500] });
    expect(any.allowed_methods).toBeNull();
    expect(any.mayRetryError("POST", "read")).toBe(true);
    expect(any.isRetry("BREW", 500, false)).toBe(true);
    const none = new Retry({ allowed_methods: [], status_forcelist: [500] });
    expect(none.mayRetryError("GET", "read")).toBe(false);
    expect(none.isRetry("GET", 500, false)).toBe(false);
    expect(none.mayRetryError("GET", "connect")).toBe(true);
  });

  it("read: false never retries a read error and rethrows it as it is; connect: false the same for connect", () => {
    const r = new Retry({ read: false, connect: false });
    expect(r.mayRetryError("GET", "read")).toBe(false);
    expect(r.mayRetryError("GET", "connect")).toBe(false);
    const err = new ReadTimeout("r");
    expect(thrown(() => r.increment({ method: "GET", url: URL_, error: err, kind: "read" }))).toBe(err);
    const c = new ConnectTimeout("c");
    expect(thrown(() => r.increment({ method: "GET", url: URL_, error: c, kind: "connect" }))).toBe(c);
    expect(String(r)).toBe("Retry(total=10, connect=False, read=False, status=None, other=None)");
  });
});

describe("status_forcelist and isRetry", () => {
  it("retries listed statuses for allowed methods only", () => {
    const r = new Retry({ status_forcelist: [500, 502] });
    expect(r.isRetry("GET", 500, false)).toBe(true);
    expect(r.isRetry("GET", 502, false)).toBe(true);
    expect(r.isRetry("GET", 504, false)).toBe(false);
    expect(r.isRetry("GET", 200, false)).toBe(false);
    expect(r.isRetry("POST", 500, false)).toBe(false);
  });

  it("with no forcelist, 413/429/503 are retried when they carry Retry-After and it is respected", () => {
    const r = new Retry();
    for (const code of [413, 429, 503]) {
      expect(r.isRetry("GET", code, true)).toBe(true);
      expect(r.isRetry("GET", code, false)).toBe(false);
    }
    expect(r.isRetry("GET", 500, true)).toBe(false);
    expect(r.isRetry("POST", 503, true)).toBe(false);
    expect(new Retry({ respect_retry_after_header: false }).isRetry("GET", 503, true)).toBe(false);
    expect(new Retry({ retry_after_status_codes: [500] }).isRetry("GET", 500, true)).toBe(true);
    expect(new Retry({ retry_after_status_codes: [500] }).isRetry("GET", 503, true)).toBe(false);
  });

  it("total 0 does not retry on Retry-After; total null does (urllib3 would not)", () => {
    expect(new Retry({ total: 0 }).isRetry("GET", 503, true)).toBe(false);
    expect(new Retry({ total: null }).isRetry("GET", 503, true)).toBe(true);
    // the forcelist is not gated by total: the increment is what fails
    expect(new Retry({ total: 0, status_forcelist: [500] }).isRetry("GET", 500, false)).toBe(true);
  });
});

describe("Retry-After", () => {
  const now = Date.UTC(2024, 0, 10, 12, 0, 0); // Wed, 10 Jan 2024 12:00:00 GMT

  it("parses delay-seconds", () => {
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("  7 ", now)).toBe(7000);
  });

  it("parses the three HTTP-date forms relative to now", () => {
    expect(parseRetryAfter("Wed, 10 Jan 2024 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wednesday, 10-Jan-24 12:01:00 GMT", now)).toBe(60_000);
    expect(parseRetryAfter("Wed Jan 10 12:00:05 2024", now)).toBe(5000);
    expect(parseRetryAfter("Wed Jan  9 12:00:05 2024", now)).toBe(0);
  });

  it("accepts RFC 2822 variants: no weekday, UTC, numeric zones", () => {
    expect(parseRetryAfter("10 Jan 2024 12:00:10 UTC", now)).toBe(10_000);
    expect(parseRetryAfter("Wed, 10 Jan 2024 13:00:10 +0100", now)).toBe(10_000);
    expect(parseRetryAfter("Wed, 10 Jan 2024 11:30:10 -0030", now)).toBe(10_000);
  });

  it("a date in the past gives 0", () => {
    expect(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now)).toBe(0);
    expect(parseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now)).toBe(0);
  });

  it("a two-digit RFC 850 year more than 50 years ahead is in the past century", () => {
    // 2074 is 50 years from 2024: kept; 2075 is 51 years ahead: 1975
    expect(parseRetryAfter("Monday, 01-Jan-74 00:00:00 GMT", now)).toBe(Date.UTC(2074, 0, 1) - now);
    expect(parseRetryAfter("Wednesday, 01-Jan-75 00:00:00 GMT", now)).toBe(0);
  });

  it("rejects what is neither", () => {
    for (const bad of [
      "",
      "-1",
      "1.5",
      "soon",
      "0x10",
      "Wed, 31 Feb 2024 12:00:00 GMT",
      "Wed, 10 Foo 2024 12:00:00 GMT",
      "Wed, 10 Jan 2024 25:00:00 GMT",
      "Wed, 10 Jan 2024 12:00:00",
      "2024-01-10T12:00:00Z",
    ]) {
      expect(parseRetryAfter(bad, now), bad).toBeUndefined();
    }
  });

  it("sleepMs uses Retry-After when respected and positive, capped at retry_after_max", () => {
    const r = new Retry({ backoff_factor: 10 }).increment(status(503)).increment(status(503));
    expect(r.sleepMs(null, now)).toBe(20_000); // backoff
    expect(r.sleepMs("3", now)).toBe(3000);
    expect(r.sleepMs("Wed, 10 Jan 2024 12:00:04 GMT", now)).toBe(4000);
    expect(new Retry({ retry_after_max: 60 }).sleepMs("3600", now)).toBe(60_000);
    expect(new Retry().sleepMs("99999999", now)).toBe(21_600_000);
  });

  it("a zero, past or invalid Retry-After falls back to the backoff", () => {
    const r = new Retry({ backoff_factor: 1 }).increment(status(503)).increment(status(503));
    expect(r.sleepMs("0", now)).toBe(2000);
    expect(r.sleepMs("Sun, 06 Nov 1994 08:49:37 GMT", now)).toBe(2000);
    expect(r.sleepMs("whenever", now)).toBe(2000);
    expect(new Retry().sleepMs("whenever", now)).toBe(0);
  });

  it("is ignored when not respected", () => {
    const r = new Retry({ respect_retry_after_header: false });
    expect(r.sleepMs("30", now)).toBe(0);
  });
});

describe("backoff", () => {
  it("none for the first retry, then factor × 2^(n−1), capped at backoff_max", () => {
    let r = new Retry({ total: null, backoff_factor: 0.5, backoff_max: 3 });
    expect(r.sleepMs()).toBe(0);
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      r = r.increment(connectErr());
      seen.push(r.sleepMs());
    }
    expect(seen).toEqual([0, 1000, 2000, 3000, 3000, 3000]);
    expect(r.backoffSeconds()).toBe(3);
  });

  it("the default cap is 120 s", () => {
    const r = times(new Retry({ total: null, backoff_factor: 1 }), 20, connectErr());
    expect(r.sleepMs()).toBe(120_000);
  });

  it("factor 0 never waits", () => {
    const r = times(new Retry({ total: null }), 5, connectErr());
    expect(r.sleepMs()).toBe(0);
  });

  it("jitter adds random × backoff_jitter, within [0, jitter), and is capped with the backoff", () => {
    const values = [0, 0.5, 0.999_999];
    for (const v of values) {
      const r = times(new Retry({ backoff_factor: 1, backoff_jitter: 0.4, random: () => v }), 2, connectErr());
      expect(r.backoffSeconds()).toBeCloseTo(2 + 0.4 * v, 9);
      expect(r.backoffSeconds()).toBeGreaterThanOrEqual(2);
      expect(r.backoffSeconds()).toBeLessThan(2.4);
    }
    const capped = times(
      new Retry({ backoff_factor: 1, backoff_max: 2.1, backoff_jitter: 5, random: () => 0.9 }),
      2,
      connectErr(),
    );
    expect(capped.backoffSeconds()).toBe(2.1);
    // no jitter before the second retry
    const first = new Retry({ backoff_factor: 1, backoff_jitter: 5, random: () => 0.9 }).increment(connectErr());
    expect(first.sleepMs()).toBe(0);
  });

  it("jitter with the default randomness stays in bounds", () => {
    const r = times(new Retry({ backoff_factor: 0.1, backoff_jitter: 1 }), 3, connectErr());
    for (let i = 0; i < 50; i++) {
      const ms = r.sleepMs();
      expect(ms).toBeGreaterThanOrEqual(400);
      expect(ms).toBeLessThan(1400);
    }
  });
});

describe("RetryError", () => {
  it("carries the last error as cause and names it", () => {
    const last = new ConnectTimeout("timed out after 1 s");
    const e = thrown(() =>
      new Retry({ total: 1 })
        .increment(connectErr())
        .increment({ method: "GET", url: URL_, error: last, kind: "connect" }),
    );
    expect(e).toBeInstanceOf(RetryError);
    const err = e as RetryError;
    expect(err.cause).toBe(last);
    expect(err.code).toBe("RETRY_ERROR");
    expect(err.name).toBe("RetryError");
    expect(err.message).toBe(
      "Max retries exceeded with url: http://127.0.0.1/x (Caused by ConnectTimeout: timed out after 1 s)",
    );
  });

  it("names a non-Error cause", () => {
    const e = thrown(() => new Retry({ total: 0 }).increment({ method: "GET", url: URL_, error: "eh", kind: "other" }));
    expect((e as Error).message).toBe("Max retries exceeded with url: http://127.0.0.1/x (Caused by eh)");
    expect((e as Error).cause).toBe("eh");
  });
});

// A minimal driver over a scripted transport: the loop a Session would run around Retry.
type Outcome = { status: number; retryAfter?: string } | { error: unknown; kind: RetryFailure };

function drive(
  retry: Retry,
  method: string,
  outcomes: Outcome[],
): { result: { status: number } | { thrown: unknown }; attempts: number; waits: number[] } {
  const waits: number[] = [];
  let r = retry;
  let attempts = 0;
  for (;;) {
    const outcome = outcomes[attempts++];
    if (outcome === undefined) throw new Error("script ran out");
    try {
      if ("error" in outcome) {
        if (!r.mayRetryError(method, outcome.kind)) return { result: { thrown: outcome.error }, attempts, waits };
        r = r.increment({ method, url: URL_, error: outcome.error, kind: outcome.kind });
        waits.push(r.sleepMs());
        continue;
      }
      if (!r.isRetry(method, outcome.status, outcome.retryAfter !== undefined)) {
        return { result: { status: outcome.status }, attempts, waits };
      }
      try {
        r = r.increment({ method, url: URL_, status: outcome.status });
      } catch (e) {
        if (r.raise_on_status) throw e;
        return { result: { status: outcome.status }, attempts, waits };
      }
      waits.push(r.sleepMs(outcome.retryAfter));
    } catch (e) {
      return { result: { thrown: e }, attempts, waits };
    }
  }
}

describe("raise_on_status and a full loop", () => {
  it("raise_on_status true: status retries running out throw RetryError", () => {
    const out = drive(new Retry({ total: 2, status_forcelist: [500] }), "GET", [
      { status: 500 },
      { status: 500 },
      { status: 500 },
    ]);
    expect(out.attempts).toBe(3);
    expect("thrown" in out.result && out.result.thrown).toBeInstanceOf(RetryError);
  });

  it("raise_on_status false: the last response comes back", () => {
    const out = drive(new Retry({ total: 2, status_forcelist: [500], raise_on_status: false }), "GET", [
      { status: 500 },
      { status: 500 },
      { status: 500 },
    ]);
    expect(out.attempts).toBe(3);
    expect(out.result).toEqual({ status: 500 });
  });

  it("a success after retries ends the loop; waits follow Retry-After then backoff", () => {
    const out = drive(new Retry({ backoff_factor: 1 }), "GET", [
      { error: new ConnectTimeout("c"), kind: "connect" },
      { status: 503, retryAfter: "2" },
      { error: new ReadTimeout("r"), kind: "read" },
      { status: 200 },
    ]);
    expect(out.result).toEqual({ status: 200 });
    expect(out.waits).toEqual([0, 2000, 4000]);
  });

  it("POST: a connect error is retried, a read error is not", () => {
    const read = new ReadTimeout("r");
    const out = drive(new Retry(), "POST", [
      { error: new ConnectTimeout("c"), kind: "connect" },
      { error: read, kind: "read" },
    ]);
    expect(out.attempts).toBe(2);
    expect(out.result).toEqual({ thrown: read });
  });
});

describe("Retry.from (requests' max_retries)", () => {
  it("undefined, null and 0: no retries, read errors come back as themselves", () => {
    for (const v of [undefined, null, 0]) {
      const r = Retry.from(v);
      expect(r.total).toBe(0);
      expect(r.read).toBe(false);
      const c = new ConnectTimeout("c");
      const e = thrown(() => r.increment({ method: "GET", url: URL_, error: c, kind: "connect" }));
      expect(e).toBeInstanceOf(RetryError);
      expect((e as RetryError).cause).toBe(c);
      const rd = new ReadTimeout("r");
      expect(thrown(() => r.increment({ method: "GET", url: URL_, error: rd, kind: "read" }))).toBe(rd);
      expect(r.isRetry("GET", 503, true)).toBe(false);
    }
  });

  it("n: Retry({ total: n }) with urllib3's defaults", () => {
    const r = Retry.from(3);
    expect(r.total).toBe(3);
    expect(r.read).toBeNull();
    expect(r.connect).toBeNull();
    expect(r.mayRetryError("GET", "read")).toBe(true);
    expect(r.mayRetryError("POST", "read")).toBe(false);
    expect(r.isRetry("GET", 503, true)).toBe(true);
    const last = times(r, 3, readErr());
    expect(thrown(() => last.increment(readErr()))).toBeInstanceOf(RetryError);
  });

  it("a Retry is used as it is", () => {
    const r = new Retry({ total: 7 });
    expect(Retry.from(r)).toBe(r);
  });

  it("rejects negative and fractional counts", () => {
    expect(() => Retry.from(-1)).toThrow(RangeError);
    expect(() => Retry.from(1.5)).toThrow(RangeError);
    expect(() => Retry.from(Number.NaN)).toThrow(RangeError);
  });
});
