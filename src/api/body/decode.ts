// Content decoding of response bodies (Content-Encoding), as urllib3 does it for requests: the
// codings are removed in the reverse of the order they are listed, an unknown coding leaves the
// body as received, and a limit on the decoded size stops decompression bombs while they inflate.
//
// The decompressors are the runtime's (src/runtime): node:zlib on Node, Deno and Bun,
// DecompressionStream elsewhere. Decoding is asynchronous: `push` resolves once the chunk has
// been consumed, which lets a socket loop pause while it waits. Loaded with the first body that
// has a Content-Encoding (a response with none, or one fetch decoded, never needs it).
//
// A failure is thrown as the RequestException it is for the user: DecodedBodyTooLarge for a body
// over the limit, ContentDecodingError for anything else (corrupt data, a body cut short, too many
// codings), with the decompressor's own error as `cause`. The receiver adds the request and the
// response.
import { ContentDecodingError, DecodedBodyTooLarge } from "../../errors.js";
import { type Coding, type Inflater, type OpenInflater, platform } from "../../runtime/platform.js";

/** Limits of one decoder. */
export interface DecoderLimits {
  /** Most bytes any coding may decode to; crossing it fails at once. Default: no limit. */
  maxDecodedBytes?: number;
  /** Most codings Content-Encoding may list (urllib3 allows 5). Default 5. */
  maxChain?: number;
}

/**
 * Decodes one response body. Call `push` for each chunk as received and `end` after the last,
 * awaiting each before the next call (one call at a time). Every call resolves with decoded
 * bytes, possibly none, in order. After a rejection the decoder is finished and each call
 * rejects with the same error.
 */
export interface ContentDecoder {
  /**
   * The codings removed, in the order they are removed (`"gzip, br"` ⇒ `["br", "gzip"]`).
   * Empty when the body passes through unchanged; a caller may then skip the decoder.
   */
  readonly codings: readonly string[];
  /** Decodes the next chunk of the body as received. */
  push(chunk: Uint8Array): Promise<Uint8Array[]>;
  /** Ends the body; rejects if it was cut short. */
  end(): Promise<Uint8Array[]>;
  /** Stops decoding (e.g. the body is abandoned) and frees the decompressors. */
  destroy(): void;
}

/** The codings this runtime decodes. */
function available(): readonly Coding[] {
  return platform().decompression.codings;
}

// ---- decoding -------------------------------------------------------------------------------

const NAMES: Readonly<Record<string, Coding>> = {
  gzip: "gzip",
  "x-gzip": "gzip",
  deflate: "deflate",
  br: "br",
  zstd: "zstd",
};

/**
 * A decoder for a body sent with `contentEncoding` (the Content-Encoding header, or undefined).
 * `identity` is skipped; if any other coding is not one this runtime decodes, the body passes
 * through undecoded, as urllib3 leaves it.
 * @throws ContentDecodingError when more than `limits.maxChain` codings are listed.
 */
export function createDecoder(contentEncoding: string | undefined, limits: DecoderLimits = {}): ContentDecoder {
  const maxChain = limits.maxChain ?? 5;
  const listed = (contentEncoding ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== "");
  if (listed.length > maxChain) {
    throw new ContentDecodingError(
      `Content-Encoding lists ${listed.length} codings, more than the ${maxChain} allowed`,
    );
  }
  const codings: Coding[] = [];
  for (const name of listed) {
    if (name === "identity") continue;
    const coding = NAMES[name];
    if (coding === undefined || !available().includes(coding)) return new ChainDecoder([], Number.POSITIVE_INFINITY);
    codings.push(coding);
  }
  return new ChainDecoder(codings.reverse(), limits.maxDecodedBytes ?? Number.POSITIVE_INFINITY);
}

function decodingError(coding: Coding, err: unknown): ContentDecodingError {
  if (err instanceof ContentDecodingError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new ContentDecodingError(`Cannot decode the ${coding} body: ${detail}`, { cause: err });
}

// One coding of the chain.
class Stage {
  readonly #coding: Coding;
  readonly #limit: number;
  #open: OpenInflater | undefined;
  #inflater: Inflater | undefined;
  #first: Uint8Array | undefined; // deflate: a lone first byte, until the second says which kind
  #out: Uint8Array[] = [];
  #total = 0;
  #error: ContentDecodingError | undefined;

  constructor(coding: Coding, limit: number) {
    this.#coding = coding;
    this.#limit = limit;
  }

  async write(chunks: Uint8Array[]): Promise<Uint8Array[]> {
    // the runtime's decompressors load with the first bytes to decode
    if (this.#open === undefined) this.#open = await platform().decompression.load();
    const open = this.#open;
    const pending: Promise<void>[] = [];
    for (const chunk of chunks) {
      const input = this.#input(chunk, open);
      if (input !== undefined && this.#inflater !== undefined) pending.push(this.#inflater.write(input));
    }
    try {
      await Promise.all(pending);
    } catch (err) {
      throw this.#error ?? decodingError(this.#coding, err);
    }
    if (this.#error !== undefined) throw this.#error;
    return this.#take();
  }

  async end(): Promise<Uint8Array[]> {
    // Nothing received is an empty body, which urllib3 accepts under any coding.
    if (this.#inflater === undefined && this.#first === undefined) return [];
    if (this.#inflater === undefined) throw decodingError(this.#coding, new Error("unexpected end of file"));
    try {
      await this.#inflater.finish();
    } catch (err) {
      throw this.#error ?? decodingError(this.#coding, err);
    }
    return this.#take();
  }

  close(): void {
    this.#inflater?.close();
  }

  // Opens the inflater on the first bytes; returns what to feed it, or undefined to wait.
  #input(chunk: Uint8Array, open: OpenInflater): Uint8Array | undefined {
    if (chunk.length === 0) return undefined;
    if (this.#inflater !== undefined) return chunk;
    let head = chunk;
    if (this.#coding === "deflate") {
      // Servers send zlib-wrapped or raw deflate under this name; urllib3 tries the wrapper
      // first, which is the same as checking for a valid zlib header (RFC 1950 §2.2).
      if (this.#first !== undefined) {
        head = new Uint8Array(1 + chunk.length);
        head[0] = this.#first[0] as number;
        head.set(chunk, 1);
        this.#first = undefined;
      }
      if (head.length < 2) {
        this.#first = head;
        return undefined;
      }
      const cmf = head[0] as number;
      const wrapped = (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | (head[1] as number)) % 31 === 0;
      this.#inflater = open("deflate", !wrapped, (out) => this.#sink(out));
    } else {
      this.#inflater = open(this.#coding, false, (out) => this.#sink(out));
    }
    return head;
  }

  #sink(out: Uint8Array): void {
    if (this.#error !== undefined) return;
    this.#total += out.length;
    if (this.#total > this.#limit) {
      this.#error = new DecodedBodyTooLarge(`The ${this.#coding} body decodes to more than ${this.#limit} bytes`);
      this.#out = [];
      this.#inflater?.close();
      return;
    }
    this.#out.push(out);
  }

  #take(): Uint8Array[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }
}

class ChainDecoder implements ContentDecoder {
  readonly codings: readonly string[];
  readonly #stages: Stage[];
  #busy = false;
  #ended = false;
  #error: unknown;

  constructor(codings: Coding[], limit: number) {
    this.codings = codings;
    this.#stages = codings.map((c) => new Stage(c, limit));
  }

  push(chunk: Uint8Array): Promise<Uint8Array[]> {
    return this.#run(async () => {
      let data = [chunk];
      for (const stage of this.#stages) data = await stage.write(data);
      return data;
    });
  }

  end(): Promise<Uint8Array[]> {
    return this.#run(async () => {
      this.#ended = true;
      let data: Uint8Array[] = [];
      for (const stage of this.#stages) {
        const head = data.length > 0 ? await stage.write(data) : [];
        data = head.concat(await stage.end());
      }
      return data;
    });
  }

  destroy(): void {
    this.#error ??= new ContentDecodingError("The decoder was destroyed");
    for (const stage of this.#stages) stage.close();
  }

  async #run(step: () => Promise<Uint8Array[]>): Promise<Uint8Array[]> {
    if (this.#error !== undefined) throw this.#error;
    if (this.#busy) throw new Error("ContentDecoder: wait for the previous call to settle");
    if (this.#ended) throw new Error("ContentDecoder: the body has already ended");
    this.#busy = true;
    try {
      return await step();
    } catch (err) {
      this.#error = err;
      for (const stage of this.#stages) stage.close();
      throw err;
    } finally {
      this.#busy = false;
    }
  }
}
