// Synchronous MD5 (RFC 1321), SHA-256, SHA-512 and SHA-512/256 (FIPS 180-4) in plain TypeScript, for
// Digest authentication: WebCrypto is asynchronous and has no MD5, and src must not import node:*.
// Words are kept in Int32Arrays; a 64-bit SHA-512 word is a (high, low) pair of 32-bit halves.

const utf8 = new TextEncoder();

/** The message followed by 0x80, zeros and its bit length (64 bits for 64-byte blocks, 128 for 128-byte ones). */
function pad(data: Uint8Array, block: number, littleEndian: boolean): DataView {
  const size = Math.ceil((data.length + 1 + block / 8) / block) * block;
  const bytes = new Uint8Array(size);
  bytes.set(data);
  bytes[data.length] = 0x80;
  const view = new DataView(bytes.buffer);
  const high = Math.floor(data.length / 0x20000000); // data.length * 8 / 2^32
  const low = (data.length * 8) >>> 0;
  if (littleEndian) {
    view.setUint32(size - 8, low, true);
    view.setUint32(size - 4, high, true);
  } else {
    view.setUint32(size - 8, high);
    view.setUint32(size - 4, low);
  }
  return view;
}

function digest(
  data: string | Uint8Array,
  block: number,
  littleEndian: boolean,
  state: Int32Array,
  compress: (state: Int32Array, view: DataView, offset: number) => void,
): Int32Array {
  const view = pad(typeof data === "string" ? utf8.encode(data) : data, block, littleEndian);
  for (let offset = 0; offset < view.byteLength; offset += block) compress(state, view, offset);
  return state;
}

function hex(words: Int32Array, count: number, littleEndian = false): string {
  let out = "";
  for (let i = 0; i < count; i++) {
    let w = words[i] ?? 0;
    if (littleEndian) w = ((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24);
    out += (w >>> 0).toString(16).padStart(8, "0");
  }
  return out;
}

// ---- MD5 (RFC 1321) ----------------------------------------------------------------------------

// T[i] = floor(2^32 * |sin(i + 1)|), written out rather than computed so that no runtime's Math.sin matters
const MD5_T = Int32Array.from(
  (
    "d76aa478 e8c7b756 242070db c1bdceee f57c0faf 4787c62a a8304613 fd469501 698098d8 8b44f7af ffff5bb1 895cd7be " +
    "6b901122 fd987193 a679438e 49b40821 f61e2562 c040b340 265e5a51 e9b6c7aa d62f105d 02441453 d8a1e681 e7d3fbc8 " +
    "21e1cde6 c33707d6 f4d50d87 455a14ed a9e3e905 fcefa3f8 676f02d9 8d2a4c8a fffa3942 8771f681 6d9d6122 fde5380c " +
    "a4beea44 4bdecfa9 f6bb4b60 bebfbc70 289b7ec6 eaa127fa d4ef3085 04881d05 d9d4d039 e6db99e5 1fa27cf8 c4ac5665 " +
    "f4292244 432aff97 ab9423a7 fc93a039 655b59c3 8f0ccc92 ffeff47d 85845dd1 6fa87e4f fe2ce6e0 a3014314 4e0811a1 " +
    "f7537e82 bd3af235 2ad7d2bb eb86d391"
  ).split(" "),
  (h) => Number.parseInt(h, 16) | 0,
);
// Shift amounts: round r (i >> 4), step i & 3
const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

function md5Block(state: Int32Array, view: DataView, offset: number): void {
  let a = state[0] ?? 0;
  let b = state[1] ?? 0;
  let c = state[2] ?? 0;
  let d = state[3] ?? 0;
  for (let i = 0; i < 64; i++) {
    let f: number;
    let g: number;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) & 15;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) & 15;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) & 15;
    }
    const s = MD5_S[((i >> 4) << 2) | (i & 3)] ?? 0;
    const x = (a + f + (MD5_T[i] ?? 0) + view.getInt32(offset + 4 * g, true)) | 0;
    a = d;
    d = c;
    c = b;
    b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
  }
  state[0] = (state[0] ?? 0) + a;
  state[1] = (state[1] ?? 0) + b;
  state[2] = (state[2] ?? 0) + c;
  state[3] = (state[3] ?? 0) + d;
}

/** MD5 of `data` (a string is UTF-8 encoded) as 32 lowercase hex digits. */
export function md5Hex(data: string | Uint8Array): string {
  const state = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476);
  return hex(digest(data, 64, true, state, md5Block), 4, true);
}

// ---- SHA-2 constants ---------------------------------------------------------------------------
// The first 64 bits of the fractional parts of the square roots (initial values) and cube roots
// (round constants) of the first primes, computed exactly with BigInt on first use. SHA-256 uses
// the high 32 bits of the same numbers.

/** floor(n ** (1 / k)), by Newton's method from above */
function iroot(n: bigint, k: bigint): bigint {
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / Number(k)));
  for (;;) {
    const y = ((k - 1n) * x + n / x ** (k - 1n)) / k;
    if (y >= x) return x;
    x = y;
  }
}

/** (high, low) halves of the first 64 fractional bits of the k-th roots of the first `count` primes */
function rootFractions(count: number, k: bigint): Int32Array {
  const out = new Int32Array(2 * count);
  for (let n = 2, found = 0; found < count; n++) {
    let prime = true;
    for (let p = 2; p * p <= n; p++) if (n % p === 0) prime = false;
    if (!prime) continue;
    const bits = iroot(BigInt(n) << (64n * k), k);
    out[2 * found] = Number(BigInt.asIntN(32, bits >> 32n));
    out[2 * found + 1] = Number(BigInt.asIntN(32, bits));
    found++;
  }
  return out;
}

interface Constants {
  /** 80 (high, low) pairs */
  k512: Int32Array;
  /** the high halves of the first 64 */
  k256: Int32Array;
  iv512: Int32Array;
}
let cached: Constants | undefined;
let IV512_256: Int32Array | undefined;

function constants(): Constants {
  if (cached === undefined) {
    const k512 = rootFractions(80, 3n);
    cached = { k512, k256: k512.filter((_, i) => i % 2 === 0 && i < 128), iv512: rootFractions(8, 2n) };
  }
  return cached;
}

// ---- SHA-256 -----------------------------------------------------------------------------------

const W256 = new Int32Array(64);

function sha256Block(state: Int32Array, view: DataView, offset: number): void {
  const k = constants().k256;
  const w = W256;
  for (let i = 0; i < 16; i++) w[i] = view.getInt32(offset + 4 * i);
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15] ?? 0;
    const y = w[i - 2] ?? 0;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = s0 + s1 + (w[i - 7] ?? 0) + (w[i - 16] ?? 0);
  }
  let a = state[0] ?? 0;
  let b = state[1] ?? 0;
  let c = state[2] ?? 0;
  let d = state[3] ?? 0;
  let e = state[4] ?? 0;
  let f = state[5] ?? 0;
  let g = state[6] ?? 0;
  let h = state[7] ?? 0;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + (k[i] ?? 0) + (w[i] ?? 0)) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  const add = [a, b, c, d, e, f, g, h];
  for (let i = 0; i < 8; i++) state[i] = (state[i] ?? 0) + (add[i] ?? 0);
}

/** SHA-256 of `data` (a string is UTF-8 encoded) as 64 lowercase hex digits. */
export function sha256Hex(data: string | Uint8Array): string {
  const state = constants().iv512.filter((_, i) => i % 2 === 0);
  return hex(digest(data, 64, false, state, sha256Block), 8);
}

// ---- SHA-512 (and SHA-512/256) -----------------------------------------------------------------

const W512 = new Int32Array(160);
const TWO32 = 0x100000000;

function sha512Block(state: Int32Array, view: DataView, offset: number): void {
  const k = constants().k512;
  const w = W512;
  for (let i = 0; i < 32; i++) w[i] = view.getInt32(offset + 4 * i);
  for (let i = 32; i < 160; i += 2) {
    // σ0 = rotr 1 ^ rotr 8 ^ shr 7 of W[t-15]; σ1 = rotr 19 ^ rotr 61 ^ shr 6 of W[t-2]
    let h = w[i - 30] ?? 0;
    let l = w[i - 29] ?? 0;
    const s0h = ((h >>> 1) | (l << 31)) ^ ((h >>> 8) | (l << 24)) ^ (h >>> 7);
    const s0l = ((l >>> 1) | (h << 31)) ^ ((l >>> 8) | (h << 24)) ^ ((l >>> 7) | (h << 25));
    h = w[i - 4] ?? 0;
    l = w[i - 3] ?? 0;
    const s1h = ((h >>> 19) | (l << 13)) ^ ((l >>> 29) | (h << 3)) ^ (h >>> 6);
    const s1l = ((l >>> 19) | (h << 13)) ^ ((h >>> 29) | (l << 3)) ^ ((l >>> 6) | (h << 26));
    const lo = (s0l >>> 0) + (s1l >>> 0) + ((w[i - 13] ?? 0) >>> 0) + ((w[i - 31] ?? 0) >>> 0);
    w[i] = s0h + s1h + (w[i - 14] ?? 0) + (w[i - 32] ?? 0) + Math.floor(lo / TWO32);
    w[i + 1] = lo;
  }
  let ah = state[0] ?? 0;
  let al = state[1] ?? 0;
  let bh = state[2] ?? 0;
  let bl = state[3] ?? 0;
  let ch = state[4] ?? 0;
  let cl = state[5] ?? 0;
  let dh = state[6] ?? 0;
  let dl = state[7] ?? 0;
  let eh = state[8] ?? 0;
  let el = state[9] ?? 0;
  let fh = state[10] ?? 0;
  let fl = state[11] ?? 0;
  let gh = state[12] ?? 0;
  let gl = state[13] ?? 0;
  let hh = state[14] ?? 0;
  let hl = state[15] ?? 0;
  for (let i = 0; i < 160; i += 2) {
    // Σ1 = rotr 14 ^ rotr 18 ^ rotr 41 of e; Σ0 = rotr 28 ^ rotr 34 ^ rotr 39 of a
    const S1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
    const S1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23));
    const S0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
    const S0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25));
    const t1lo =
      (hl >>> 0) + (S1l >>> 0) + (((el & fl) ^ (~el & gl)) >>> 0) + ((k[i + 1] ?? 0) >>> 0) + ((w[i + 1] ?? 0) >>> 0);
    const t1h = hh + S1h + ((eh & fh) ^ (~eh & gh)) + (k[i] ?? 0) + (w[i] ?? 0) + Math.floor(t1lo / TWO32);
    const t2lo = (S0l >>> 0) + (((al & bl) ^ (al & cl) ^ (bl & cl)) >>> 0);
    const t2h = S0h + ((ah & bh) ^ (ah & ch) ^ (bh & ch)) + Math.floor(t2lo / TWO32);
    const t1l = t1lo >>> 0;
    const elo = (dl >>> 0) + t1l;
    const alo = t1l + (t2lo >>> 0);
    hh = gh;
    hl = gl;
    gh = fh;
    gl = fl;
    fh = eh;
    fl = el;
    eh = (dh + t1h + Math.floor(elo / TWO32)) | 0;
    el = elo | 0;
    dh = ch;
    dl = cl;
    ch = bh;
    cl = bl;
    bh = ah;
    bl = al;
    ah = (t1h + t2h + Math.floor(alo / TWO32)) | 0;
    al = alo | 0;
  }
  const add = [ah, al, bh, bl, ch, cl, dh, dl, eh, el, fh, fl, gh, gl, hh, hl];
  for (let i = 0; i < 16; i += 2) {
    const lo = ((state[i + 1] ?? 0) >>> 0) + ((add[i + 1] ?? 0) >>> 0);
    state[i] = (state[i] ?? 0) + (add[i] ?? 0) + Math.floor(lo / TWO32);
    state[i + 1] = lo;
  }
}

/** SHA-512 of `data` (a string is UTF-8 encoded) as 128 lowercase hex digits. */
export function sha512Hex(data: string | Uint8Array): string {
  return hex(digest(data, 128, false, constants().iv512.slice(), sha512Block), 16);
}

/** SHA-512/256 (FIPS 180-4 §5.3.6) of `data` (a string is UTF-8 encoded) as 64 lowercase hex digits. */
export function sha512_256Hex(data: string | Uint8Array): string {
  // The initial value is SHA-512, started from IV512 ^ a5a5…, of the ASCII text "SHA-512/256"
  IV512_256 ??= digest(
    "SHA-512/256",
    128,
    false,
    constants().iv512.map((x) => x ^ 0xa5a5a5a5),
    sha512Block,
  );
  return hex(digest(data, 128, false, IV512_256.slice(), sha512Block), 8);
}
