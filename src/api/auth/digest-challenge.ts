// Answering HTTP Digest challenges (RFC 7616): the WWW-Authenticate parser, the hashes, the choice
// among offered challenges and the Authorization value. Loaded by HTTPDigestAuth (digest.ts) on
// first use, in a chunk of its own: most programs never meet a Digest challenge.

import { md5Hex, sha256Hex, sha512_256Hex, sha512Hex } from "./hash.js";

/** One challenge of a WWW-Authenticate (or Proxy-Authenticate) value. */
export interface AuthChallenge {
  /** The auth-scheme as sent ("Digest", "Basic", …); compare it case-insensitively. */
  scheme: string;
  /** auth-params by lowercased name, values unquoted; the first of repeated names wins. */
  params: Record<string, string>;
  /** The token68 form (`Negotiate abc==`), when that is what followed the scheme. */
  token68?: string;
}

// ---- parsing -----------------------------------------------------------------------------------

const C = { Tab: 9, Space: 32, Quote: 34, Comma: 44, Equals: 61, Backslash: 92 } as const;

// tchar (RFC 9110 §5.6.2) and the token68 characters besides them (RFC 9110 §11.2)
const TCHAR = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TCHAR[ch.charCodeAt(0)] = 1;
}
const T68 = new Uint8Array(128);
for (const ch of "-._~+/0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") T68[ch.charCodeAt(0)] = 1;

/**
 * Parses a WWW-Authenticate value, or several joined by ", ", into its challenges (RFC 9110 §11.6.1):
 * `scheme [token68 | name=value, …]`, values as tokens or quoted-strings with backslash escapes.
 * Lenient where servers are sloppy (missing commas between params, unquoted values with
 * non-token characters, an unterminated quote runs to the end) and linear in the input length:
 * every character is looked at a bounded number of times and nothing backtracks.
 */
export function parseChallenges(value: string): AuthChallenge[] {
  const n = value.length;
  const code = (at: number): number => (at < n ? value.charCodeAt(at) : -1);
  const isWs = (c: number): boolean => c === C.Space || c === C.Tab;
  const isT = (table: Uint8Array, c: number): boolean => c >= 0 && c < 128 && table[c] === 1;
  const skipWs = (at: number): number => {
    while (isWs(code(at))) at++;
    return at;
  };
  const skipToken = (at: number): number => {
    while (isT(TCHAR, code(at))) at++;
    return at;
  };
  // Past anything unparseable, to the next comma that is not inside a quoted-string
  const skipJunk = (at: number): number => {
    while (at < n && code(at) !== C.Comma) {
      if (code(at) === C.Quote) {
        for (at++; at < n && code(at) !== C.Quote; at++) if (code(at) === C.Backslash) at++;
      }
      at++;
    }
    return at;
  };
  // Whether a param name follows at `at`: a token, optional whitespace, "="
  const isParamAt = (at: number): boolean => {
    const end = skipToken(at);
    return end > at && code(skipWs(end)) === C.Equals;
  };

  const out: AuthChallenge[] = [];
  let i = 0;
  for (;;) {
    while (isWs(code(i)) || code(i) === C.Comma) i++;
    if (i >= n) return out;
    const schemeEnd = skipToken(i);
    if (schemeEnd === i) {
      i = skipJunk(i);
      continue;
    }
    const challenge: AuthChallenge = { scheme: value.slice(i, schemeEnd), params: Object.create(null) };
    out.push(challenge);
    i = skipWs(schemeEnd);

    // token68: its characters, then "="s, then the end of this challenge
    let end = i;
    while (isT(T68, code(end))) end++;
    if (end > i) {
      while (code(end) === C.Equals) end++;
      const after = skipWs(end);
      if (after >= n || code(after) === C.Comma) {
        challenge.token68 = value.slice(i, end);
        i = after;
        continue;
      }
    }

    // auth-params, until a token that is not followed by "=" (the next challenge's scheme)
    for (;;) {
      while (isWs(code(i)) || code(i) === C.Comma) i++;
      if (i >= n) return out;
      const nameEnd = skipToken(i);
      if (nameEnd === i) {
        i = skipJunk(i);
        continue;
      }
      const eq = skipWs(nameEnd);
      if (code(eq) !== C.Equals) break; // i stays at the next scheme
      const name = value.slice(i, nameEnd).toLowerCase();
      i = skipWs(eq + 1);
      let text: string;
      if (code(i) === C.Quote) {
        const parts: string[] = [];
        let start = ++i;
        while (i < n && code(i) !== C.Quote) {
          if (code(i) === C.Backslash && i + 1 < n) {
            parts.push(value.slice(start, i));
            start = ++i; // the escaped character itself starts the next part
          }
          i++;
        }
        parts.push(value.slice(start, i));
        text = parts.join("");
        if (i < n) i++;
      } else {
        const start = i;
        while (i < n && !isWs(code(i)) && code(i) !== C.Comma) i++;
        text = value.slice(start, i);
      }
      if (!(name in challenge.params)) challenge.params[name] = text;
      i = skipWs(i);
      if (i < n && code(i) !== C.Comma && !isParamAt(i)) i = skipJunk(i);
    }
  }
}

// ---- Digest ------------------------------------------------------------------------------------

interface Algorithm {
  hash: (data: string) => string;
  sess: boolean;
  /** preference when several Digest challenges are offered: the stronger hash wins */
  strength: number;
}

const ALGORITHMS = new Map<string, Algorithm>([
  ["MD5", { hash: md5Hex, sess: false, strength: 1 }],
  ["MD5-SESS", { hash: md5Hex, sess: true, strength: 1 }],
  ["SHA-256", { hash: sha256Hex, sess: false, strength: 2 }],
  ["SHA-256-SESS", { hash: sha256Hex, sess: true, strength: 2 }],
  ["SHA-512-256", { hash: sha512_256Hex, sess: false, strength: 3 }],
  ["SHA-512-256-SESS", { hash: sha512_256Hex, sess: true, strength: 3 }],
  ["SHA-512", { hash: sha512Hex, sess: false, strength: 3 }],
  ["SHA-512-SESS", { hash: sha512Hex, sess: true, strength: 3 }],
]);

/** A usable Digest challenge, as remembered between requests. */
interface Remembered {
  realm: string;
  nonce: string;
  opaque: string | undefined;
  /** as the server spelled it; undefined when it sent none (MD5 is meant, and none is sent back) */
  algorithmName: string | undefined;
  algorithm: Algorithm;
  qop: boolean;
  /** requests sent with this nonce so far */
  nc: number;
  /** for the -sess algorithms: the cnonce that H(A1) was keyed with, kept for the nonce's lifetime */
  sessionCnonce: string | undefined;
}

function usable(challenge: AuthChallenge): Omit<Remembered, "nc" | "sessionCnonce"> | undefined {
  if (challenge.scheme.toLowerCase() !== "digest") return undefined;
  const { realm = "", nonce, opaque, algorithm: algorithmName, qop } = challenge.params;
  if (nonce === undefined) return undefined;
  const algorithm = ALGORITHMS.get((algorithmName ?? "MD5").trim().toUpperCase());
  if (algorithm === undefined) return undefined;
  const qops = (qop ?? "")
    .split(",")
    .map((q) => q.trim().toLowerCase())
    .filter((q) => q !== "");
  // qop offered without "auth" means auth-int only, which needs the request body: not supported
  if (qops.length > 0 && !qops.includes("auth")) return undefined;
  return { realm, nonce, opaque, algorithmName: algorithmName?.trim(), algorithm, qop: qops.length > 0 };
}

function quote(text: string): string {
  return `"${text.replace(/["\\]/g, "\\$&")}"`;
}

/** What HTTPDigestAuth remembers of the challenge it answered last. */
export type DigestState = Remembered;

/**
 * The state for the best usable Digest challenge of `wwwAuthenticate` (among several the strongest
 * hash wins, then the first offered), or undefined when none is usable (no nonce, an unknown
 * algorithm, or qop offered without "auth": auth-int is not supported). The same nonce keeps the
 * previous count and session cnonce; a new nonce starts again.
 */
export function remember(previous: DigestState | undefined, wwwAuthenticate: string): DigestState | undefined {
  let best: ReturnType<typeof usable>;
  for (const c of parseChallenges(wwwAuthenticate)) {
    const candidate = usable(c);
    if (candidate && (!best || candidate.algorithm.strength > best.algorithm.strength)) best = candidate;
  }
  if (!best) return undefined;
  const same =
    previous !== undefined &&
    previous.nonce === best.nonce &&
    previous.realm === best.realm &&
    previous.algorithm === best.algorithm;
  return { ...best, nc: same ? previous.nc : 0, sessionCnonce: same ? previous.sessionCnonce : undefined };
}

/** Whether a challenge says the nonce was stale (stale=true), not that the credentials are wrong. */
export function isStale(wwwAuthenticate: string): boolean {
  return parseChallenges(wwwAuthenticate).some(
    (c) => c.scheme.toLowerCase() === "digest" && c.params.stale?.trim().toLowerCase() === "true",
  );
}

/** A client nonce: 8 random bytes, hex. */
function randomCnonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The Authorization value for one more request under `state` (its nonce count goes up by one). */
export function authorization(
  state: DigestState,
  username: string,
  password: string,
  makeCnonce: (() => string) | undefined,
  method: string,
  uri: string,
): string {
  const { realm, nonce, algorithm, qop } = state;
  const H = algorithm.hash;
  state.nc++;
  const nc = state.nc.toString(16).padStart(8, "0");
  // -sess keys H(A1) with the cnonce of the nonce's first request; otherwise a fresh one each time
  const fresh = makeCnonce ?? randomCnonce;
  if (algorithm.sess) state.sessionCnonce ??= fresh();
  const cnonce = state.sessionCnonce ?? fresh();
  let ha1 = H(`${username}:${realm}:${password}`);
  if (algorithm.sess) ha1 = H(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = H(`${method}:${uri}`);
  const response = qop ? H(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`) : H(`${ha1}:${nonce}:${ha2}`);

  // RFC 7616 §3.4: username, realm, nonce, uri, response, cnonce and opaque are quoted-strings;
  // algorithm, qop and nc never are. A username that a quoted-string cannot carry as UTF-8 goes
  // in username* (RFC 7616 §3.4.4, RFC 8187).
  const parts = [
    /^[\t\x20-\x7e]*$/.test(username)
      ? `username=${quote(username)}`
      : `username*=UTF-8''${encodeURIComponent(username).replace(
          /['()*]/g,
          (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
        )}`,
    `realm=${quote(realm)}`,
    `uri=${quote(uri)}`,
  ];
  if (state.algorithmName !== undefined) parts.push(`algorithm=${state.algorithmName}`);
  parts.push(`nonce=${quote(nonce)}`);
  if (qop) parts.push(`nc=${nc}`, `cnonce=${quote(cnonce)}`, "qop=auth");
  else if (algorithm.sess) parts.push(`cnonce=${quote(cnonce)}`); // the server needs it for H(A1)
  parts.push(`response=${quote(response)}`);
  if (state.opaque !== undefined) parts.push(`opaque=${quote(state.opaque)}`);
  return `Digest ${parts.join(", ")}`;
}
