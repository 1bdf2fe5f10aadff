// What parity.test.ts does to scenarios before running them (resolve: templates filled in) and
// to both clients' records before comparing them (normalise: the same for requests and reqwire).
//
// Everything normalise() takes out of the records, and why:
// - the addresses of the local servers (ports change every run): placeholders such as {httpbin};
// - User-Agent in an echo of the request's headers: each client names itself (kept when the
//   step sets the header);
// - in an echoed Digest Authorization, the cnonce and the response hash (random per request; the
//   other parameters, nc, uri, algorithm, qop…, are compared);
// - in an echoed multipart Content-Type, the boundary (random in both clients).
// Nothing else is removed: every other header the two clients send is compared as echoed.
import type { Bases, Scenario, Step } from "./types.js";
import { fill, stepUrl } from "./types.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function fillDeep<T>(value: T, bases: Bases): T {
  if (typeof value === "string") return fill(value, bases) as T;
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, bases)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillDeep(v, bases)])) as T;
  }
  return value;
}

/** The scenario with every template filled in, as both clients run it. */
export function resolve(scenario: Scenario, bases: Bases): Scenario {
  return {
    ...scenario,
    steps: scenario.steps.map(
      (step): Step => ({
        ...step,
        url: stepUrl(step, bases),
        ...(step.params === undefined ? {} : { params: fillDeep(step.params, bases) }),
        ...(step.headers === undefined ? {} : { headers: fillDeep(step.headers, bases) }),
      }),
    ),
  };
}

/**
 * Request headers echoed by httpbin (and the second server) that the two clients legitimately
 * send differently, each removed from both records for the reason given.
 */
export const VOLATILE_REQUEST_HEADERS: Record<string, string> = {
  "User-Agent": "each client names itself (python-requests/2.28.1, reqwire/x.y.z); kept when a step sets it",
};

/** The addresses in a record's strings, back to the template names (longest first). */
function placeholders(bases: Bases): Array<[string, string]> {
  const host = (url: string) => url.replace(/^http:\/\//, "");
  return [
    [bases.httpbin, "{httpbin}"],
    [bases.aux, "{aux}"],
    [bases.silent, "{silent}"],
    [bases.refused, "{refused}"],
    [host(bases.httpbin), "{httpbin-host}"],
    [host(bases.aux), "{aux-host}"],
    [host(bases.silent), "{silent-host}"],
    [host(bases.refused), "{refused-host}"],
  ];
}

function replaceAddresses(value: Json, pairs: Array<[string, string]>): Json {
  if (typeof value === "string") {
    let s = value;
    for (const [from, to] of pairs) s = s.split(from).join(to);
    return s;
  }
  if (Array.isArray(value)) return value.map((v) => replaceAddresses(v, pairs));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceAddresses(v, pairs)]));
  }
  return value;
}

/**
 * A Digest Authorization value without its random parts (cnonce, and the response hash that
 * depends on it): the parameter names, and the values that must agree.
 */
function digestShape(value: string): string {
  const params: string[] = [];
  for (const m of value.slice("Digest ".length).matchAll(/([a-z-]+)=("([^"]*)"|[^,\s]*)/gi)) {
    const name = (m[1] as string).toLowerCase();
    const v = m[3] ?? m[2] ?? "";
    params.push(name === "cnonce" || name === "response" ? `${name}=*` : `${name}=${v}`);
  }
  return `Digest ${params.sort().join(", ")}`;
}

/** Normalises the request headers an echo reports. */
function echoHeaders(headers: { [key: string]: Json }, step: Step): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  const setByStep = new Set(Object.keys(step.headers ?? {}).map((k) => k.toLowerCase()));
  for (const [name, value] of Object.entries(headers)) {
    if (name in VOLATILE_REQUEST_HEADERS && !setByStep.has(name.toLowerCase())) continue;
    if (name === "Authorization" && typeof value === "string" && value.startsWith("Digest ")) {
      out[name] = digestShape(value);
    } else if (name === "Content-Type" && typeof value === "string" && value.startsWith("multipart/form-data")) {
      // the boundary is random in both clients
      out[name] = value.replace(/boundary=[^;\s]+/, "boundary=*");
    } else {
      out[name] = value;
    }
  }
  return out;
}

/** Normalises an echo (httpbin's JSON about the request it got), wherever one appears. */
function echo(value: Json, step: Step): Json {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const out = { ...value };
  const headers = out.headers;
  if (headers !== null && typeof headers === "object" && !Array.isArray(headers))
    out.headers = echoHeaders(headers, step);
  return out;
}

/** A record as compared: addresses as placeholders, echoes without their volatile parts. */
export function normalise(record: unknown, scenario: Scenario, bases: Bases): Json[] {
  const steps = replaceAddresses(record as Json, placeholders(bases)) as Json[];
  return steps.map((rec, i) => {
    const step = scenario.steps[i] as Step;
    if (rec === null || typeof rec !== "object" || Array.isArray(rec)) return rec;
    const out = { ...rec };
    const body = out.body;
    if (body !== null && typeof body === "object" && !Array.isArray(body) && "json" in body) {
      out.body = { ...body, json: echo(body.json as Json, step) };
    }
    const stream = out.stream;
    if (stream !== null && typeof stream === "object" && !Array.isArray(stream) && "json" in stream) {
      out.stream = { ...stream, json: echo(stream.json as Json, step) };
    } else if (stream !== null && typeof stream === "object" && !Array.isArray(stream) && Array.isArray(stream.lines)) {
      out.stream = {
        ...stream,
        lines: stream.lines.map((line) =>
          line !== null && typeof line === "object" && !Array.isArray(line) && "json" in line
            ? { json: echo(line.json as Json, step) }
            : line,
        ),
      };
    }
    return out;
  });
}

/**
 * The value at `path` ("step.key.key…") and a copy of the record without it (undefined when
 * absent), so a documented difference is checked on its own and the rest compared whole.
 */
export function withoutField(record: Json[], path: string): { value: unknown; rest: Json[] } {
  const keys = path.split(".");
  const rest = structuredClone(record);
  let at: Json = rest;
  for (const key of keys.slice(0, -1)) {
    if (at === null || typeof at !== "object") return { value: undefined, rest };
    at = (Array.isArray(at) ? at[Number(key)] : at[key]) as Json;
  }
  const last = keys[keys.length - 1] as string;
  if (at === null || typeof at !== "object") return { value: undefined, rest };
  if (Array.isArray(at)) {
    const value = at[Number(last)];
    at.splice(Number(last), 1);
    return { value, rest };
  }
  const value = at[last];
  delete at[last];
  return { value, rest };
}
