// X.509 certificates for TLS tests, made with node:crypto alone (no openssl binary needed): a
// small DER encoder builds the TBSCertificate, crypto.sign() signs it. Keys are ECDSA P-256 and
// signatures ECDSA with SHA-256, so a CA plus a few leaves take a few milliseconds. Nothing is
// cached: every call generates a fresh key and certificate.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from "node:crypto";
import { isIP } from "node:net";

/** A certificate and its private key, both PEM (the key is PKCS#8). */
export interface CertAndKey {
  cert: string;
  key: string;
}

export interface ValidityOptions {
  /** Start of validity; default one hour ago. */
  notBefore?: Date;
  /** End of validity; default one day from now. */
  notAfter?: Date;
}

export interface CAOptions extends ValidityOptions {
  /** Subject CN; default "reqwire test CA". */
  commonName?: string;
}

export interface ServerCertOptions extends ValidityOptions {
  /** IP addresses (v4 or v6) and DNS names for subjectAltName, e.g. ["127.0.0.1", "localhost", "::1"]. */
  hosts: string[];
  /** Subject CN; default the first host. */
  commonName?: string;
}

export interface ClientCertOptions extends ValidityOptions {
  commonName: string;
}

// ---------------------------------------------------------------------------------------------
// DER encoding (ITU-T X.690), only what certificates need.

const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
} as const;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with a single-byte tag (tag numbers below 31, which is all X.509 uses). */
function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

const sequence = (...items: Buffer[]): Buffer => tlv(TAG.SEQUENCE, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(TAG.SET, Buffer.concat(items));
const octetString = (bytes: Buffer): Buffer => tlv(TAG.OCTET_STRING, bytes);
const utf8String = (text: string): Buffer => tlv(TAG.UTF8_STRING, Buffer.from(text, "utf8"));
const booleanTrue = (): Buffer => tlv(TAG.BOOLEAN, Buffer.from([0xff]));
/** [n] EXPLICIT: a constructed context-specific tag around one encoding. */
const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);
/** [n] IMPLICIT around a primitive value. */
const implicitPrimitive = (n: number, content: Buffer): Buffer => tlv(0x80 | n, content);

/** A BIT STRING whose length is a whole number of bytes. */
const bitString = (bytes: Buffer, unusedBits = 0): Buffer =>
  tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([unusedBits]), bytes]));

/** INTEGER from a non-negative value, in the minimal two's-complement form DER requires. */
function integer(value: bigint | Buffer): Buffer {
  let bytes: Buffer;
  if (typeof value === "bigint") {
    if (value < 0n) throw new RangeError("negative INTEGER not supported");
    let hex = value.toString(16);
    if (hex.length % 2 === 1) hex = `0${hex}`;
    bytes = Buffer.from(hex, "hex");
  } else {
    bytes = value;
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && ((bytes[start + 1] ?? 0) & 0x80) === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if (((bytes[0] ?? 0) & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(TAG.INTEGER, bytes);
}

function oid(dotted: string): Buffer {
  const arcs = dotted.split(".").map((a) => {
    if (!/^\d+$/.test(a)) throw new Error(`bad OID ${dotted}`);
    return BigInt(a);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2n || (first < 2n && second > 39n)) {
    throw new Error(`bad OID ${dotted}`);
  }
  const out: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const groups: number[] = [Number(arc & 0x7fn)];
    for (let n = arc >> 7n; n > 0n; n >>= 7n) groups.unshift(Number(n & 0x7fn) | 0x80);
    out.push(...groups);
  }
  return tlv(TAG.OID, Buffer.from(out));
}

/** UTCTime for 1950-2049 and GeneralizedTime otherwise, as RFC 5280 §4.1.2.5 requires; whole seconds, UTC. */
function time(date: Date): Buffer {
  const pad = (n: number, width = 2): string => String(n).padStart(width, "0");
  const year = date.getUTCFullYear();
  const rest =
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds()) +
    "Z";
  if (year >= 1950 && year < 2050) return tlv(TAG.UTC_TIME, Buffer.from(pad(year % 100) + rest, "latin1"));
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(pad(year, 4) + rest, "latin1"));
}

// ---------------------------------------------------------------------------------------------
// DER reading, just enough to take the subject and subjectKeyIdentifier out of an issuer
// certificate and the key bits out of a SubjectPublicKeyInfo.

interface Node {
  tag: number;
  /** The whole TLV. */
  der: Buffer;
  /** The value bytes. */
  content: Buffer;
}

function readNode(buf: Buffer, offset: number): Node {
  const tag = buf[offset];
  let lengthByte = buf[offset + 1];
  if (tag === undefined || lengthByte === undefined) throw new Error("DER: truncated");
  if ((tag & 0x1f) === 0x1f) throw new Error("DER: multi-byte tags not supported");
  let pos = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 4) throw new Error("DER: bad length");
    length = 0;
    for (let i = 0; i < count; i++) {
      lengthByte = buf[pos++];
      if (lengthByte === undefined) throw new Error("DER: truncated");
      length = length * 256 + lengthByte;
    }
  }
  if (pos + length > buf.length) throw new Error("DER: truncated");
  return { tag, der: buf.subarray(offset, pos + length), content: buf.subarray(pos, pos + length) };
}

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (let pos = 0; pos < node.content.length; ) {
    const child = readNode(node.content, pos);
    out.push(child);
    pos += child.der.length;
  }
  return out;
}

function at<T>(items: T[], index: number, what: string): T {
  const item = items[index];
  if (item === undefined) throw new Error(`DER: missing ${what}`);
  return item;
}

const OID = {
  ecdsaWithSHA256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organizationName: "2.5.4.10",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

function pemToDer(pem: string, label: string): Buffer {
  const match = new RegExp(`-----BEGIN ${label}-----([^-]+)-----END ${label}-----`).exec(pem);
  if (!match?.[1]) throw new Error(`no ${label} in PEM`);
  return Buffer.from(match[1].replace(/\s+/g, ""), "base64");
}

function derToPem(der: Buffer, label: string): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** The issuer-relevant parts of a certificate: its subject Name (exact bytes) and its subjectKeyIdentifier, if any. */
function issuerInfo(certPem: string): { subject: Buffer; keyId: Buffer | undefined } {
  const cert = readNode(pemToDer(certPem, "CERTIFICATE"), 0);
  const tbsFields = children(at(children(cert), 0, "tbsCertificate"));
  const base = tbsFields[0]?.tag === 0xa0 ? 1 : 0; // [0] version is optional (absent means v1)
  const subject = at(tbsFields, base + 4, "subject").der;
  let keyId: Buffer | undefined;
  const extensions = tbsFields.find((n) => n.tag === 0xa3);
  if (extensions) {
    const skiOid = oid(OID.subjectKeyIdentifier);
    for (const ext of children(at(children(extensions), 0, "extensions"))) {
      const parts = children(ext);
      if (!at(parts, 0, "extnID").der.equals(skiOid)) continue;
      const value = at(parts, parts.length - 1, "extnValue");
      keyId = Buffer.from(readNode(value.content, 0).content);
    }
  }
  return { subject: Buffer.from(subject), keyId };
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value (without the unused-bits byte). */
function keyIdentifier(spkiDer: Buffer): Buffer {
  const bits = at(children(readNode(spkiDer, 0)), 1, "subjectPublicKey");
  return createHash("sha1").update(bits.content.subarray(1)).digest();
}

// ---------------------------------------------------------------------------------------------
// Certificates.

function name(commonName: string): Buffer {
  const attribute = (type: string, value: string): Buffer => set(sequence(oid(type), utf8String(value)));
  return sequence(attribute(OID.organizationName, "reqwire tests"), attribute(OID.commonName, commonName));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), booleanTrue(), octetString(value)) : sequence(oid(id), octetString(value));
}

/** IPv4 or IPv6 text to its 4 or 16 bytes. */
export function ipBytes(address: string): Buffer {
  const family = isIP(address);
  if (family === 4) return Buffer.from(address.split(".").map(Number));
  if (family !== 6) throw new Error(`not an IP address: ${address}`);
  if (address.includes("%")) throw new Error(`zone IDs are not allowed in certificates: ${address}`);
  let text = address;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    tail.push(...v4[1].split(".").map(Number));
    text = `${text.slice(0, -v4[1].length)}0:0`; // two placeholder groups, replaced below
  }
  const halves = text.split("::");
  const groups = (part: string | undefined): number[] =>
    part ? part.split(":").map((g) => Number.parseInt(g, 16)) : [];
  const head = groups(halves[0]);
  const rest = groups(halves[1]);
  const all =
    halves.length === 2 ? [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest] : head;
  const out = Buffer.alloc(16);
  for (const [i, g] of all.entries()) out.writeUInt16BE(g, i * 2);
  if (tail.length === 4) Buffer.from(tail).copy(out, 12);
  return out;
}

function subjectAltName(hosts: string[]): Buffer {
  if (hosts.length === 0) throw new Error("makeServerCert: hosts must not be empty");
  return sequence(
    ...hosts.map((raw) => {
      const host = raw.startsWith("[") && raw.endsWith("]") ? raw.slice(1, -1) : raw;
      if (isIP(host)) return implicitPrimitive(7, ipBytes(host)); // iPAddress
      if (!/^[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) throw new Error(`bad DNS name: ${raw}`);
      return implicitPrimitive(2, Buffer.from(host, "ascii")); // dNSName (IA5String)
    }),
  );
}

/** keyUsage as a DER named-bit BIT STRING: bit 0 is the most significant bit of the first byte; trailing zero bits dropped. */
function keyUsage(bits: number[]): Buffer {
  let value = 0;
  for (const bit of bits) value |= 0x80 >> bit;
  let unused = 0;
  while (unused < 7 && (value & (1 << unused)) === 0) unused++;
  return bitString(Buffer.from([value]), unused);
}
const KU = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

/** signatureAlgorithm for ECDSA with SHA-256 (RFC 5758 §3.2: no parameters). */
const ECDSA_WITH_SHA256 = (): Buffer => sequence(oid(OID.ecdsaWithSHA256));

function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40; // positive, nonzero, always 16 bytes
  return integer(bytes);
}

interface IssueParams extends ValidityOptions {
  subject: Buffer;
  /** Absent for a self-signed certificate: the new key then signs, and the issuer is the subject. */
  issuer?: {
    /** The issuer's subject Name, exact bytes. */
    name: Buffer;
    key: KeyObject;
    keyId: Buffer | undefined;
  };
  extensions: Buffer[];
}

function issue(params: IssueParams): CertAndKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const keyId = keyIdentifier(spki);
  const issuer = params.issuer ?? { name: params.subject, key: privateKey, keyId };
  const now = Date.now();
  const notBefore = params.notBefore ?? new Date(now - 3600_000);
  const notAfter = params.notAfter ?? new Date(now + 86400_000);
  const extensions = [...params.extensions, extension(OID.subjectKeyIdentifier, false, octetString(keyId))];
  if (issuer.keyId) {
    extensions.push(extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, issuer.keyId))));
  }
  const tbs = sequence(
    explicit(0, integer(2n)), // version v3
    serialNumber(),
    ECDSA_WITH_SHA256(),
    issuer.name,
    sequence(time(notBefore), time(notAfter)),
    params.subject,
    spki,
    explicit(3, sequence(...extensions)),
  );
  const signature = sign("sha256", tbs, issuer.key); // a DER Ecdsa-Sig-Value, as X.509 wants
  const cert = sequence(tbs, ECDSA_WITH_SHA256(), bitString(signature));
  return { cert: derToPem(cert, "CERTIFICATE"), key: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

/** A self-signed CA certificate (basicConstraints CA:true, keyUsage keyCertSign and cRLSign). */
export function makeCA(options: CAOptions = {}): CertAndKey {
  return issue({
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    subject: name(options.commonName ?? "reqwire test CA"),
    extensions: [
      extension(OID.basicConstraints, true, sequence(booleanTrue())),
      extension(OID.keyUsage, true, keyUsage([KU.digitalSignature, KU.keyCertSign, KU.cRLSign])),
    ],
  });
}

function leaf(ca: CertAndKey, commonName: string, extensions: Buffer[], validity: ValidityOptions): CertAndKey {
  const issuer = issuerInfo(ca.cert);
  const issuerKey = createPrivateKey(ca.key);
  if (issuerKey.asymmetricKeyType !== "ec") throw new Error("the CA key must be an EC key (as makeCA makes)");
  // Catch a mismatched pair here rather than as an obscure handshake failure later.
  const caPublic = createPublicKey(ca.cert).export({ type: "spki", format: "der" });
  if (!createPublicKey(issuerKey).export({ type: "spki", format: "der" }).equals(caPublic)) {
    throw new Error("CA key does not match CA certificate");
  }
  return issue({
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    subject: name(commonName),
    issuer: { name: issuer.subject, key: issuerKey, keyId: issuer.keyId },
    extensions: [
      extension(OID.basicConstraints, true, sequence()), // CA:false
      extension(OID.keyUsage, true, keyUsage([KU.digitalSignature])),
      ...extensions,
    ],
  });
}

/** A server certificate signed by `ca`: subjectAltName from `hosts` (IP and DNS entries), extendedKeyUsage serverAuth. */
export function makeServerCert(ca: CertAndKey, options: ServerCertOptions): CertAndKey {
  const commonName = options.commonName ?? options.hosts[0] ?? "server";
  return leaf(
    ca,
    commonName,
    [
      extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
      extension(OID.subjectAltName, false, subjectAltName(options.hosts)),
    ],
    options,
  );
}

/** A client certificate signed by `ca`, extendedKeyUsage clientAuth, for mutual TLS. */
export function makeClientCert(ca: CertAndKey, options: ClientCertOptions): CertAndKey {
  return leaf(ca, options.commonName, [extension(OID.extKeyUsage, false, sequence(oid(OID.clientAuth)))], options);
}
