// Content decoding of response bodies (Content-Encoding), as urllib3 does it for requests: the
// codings are removed in the reverse of the order they are listed, an unknown coding leaves the
// body as received, and two limits stop decompression bombs while they inflate: one on the
// decoded size, one on the ratio of decoded bytes to bytes received beyond the first MiB.
//
// Both are checked on every piece of output of every coding, as it comes out of the decompressor:
// crossing one closes the decompressors at once, so a bomb costs at most one output piece more
// (64 KiB from node:zlib; the web inflater feeds DecompressionStream small pieces so that its
// bursts stay small too). The bytes received are counted as they are fed to the first coding, in
// pieces of at most FEED bytes, so the ratio allows at most ratio × FEED bytes ahead of them.
//
// The decompressors are the runtime's (src/runtime): node:zlib on Node, Deno and Bun,
// DecompressionStream elsewhere. Decoding is asynchronous: `push` resolves once the chunk has
// been consumed, which lets a socket loop pause while it waits. Loaded with the first body that
// has a Content-Encoding (a response with none, or one fetch decoded, never needs it).
//
// A failure is thrown as the RequestException it is for the user: DecodedBodyTooLarge for a body
// over the size limit, DecompressionRatioExceeded (a DecodedBodyTooLarge) for one over the ratio,
// ContentDecodingError for anything else (corrupt data, a body cut short, too many
// codings), with the decompressor's own error as `cause`. The receiver adds the request and the
// response.
import { ContentDecodingError, DecodedBodyTooLarge, DecompressionRatioExceeded } from "../../errors.js";
import { type Coding, type Inflater, type OpenInflater, platform } from "../../runtime/platform.js";

/** Limits of one decoder. */
export interface DecoderLimits {
  /** Most bytes any coding may decode to; crossing it fails at once. Default: no limit. */
  maxDecodedBytes?: number;
  /**
   * Most bytes any coding may decode to per byte received, beyond the first RATIO_ALLOWANCE bytes
   * of its output: crossing `RATIO_ALLOWANCE + maxRatio × received` fails at once. Default: no limit.
   */
  maxRatio?: number;
  /** Most codings Content-Encoding may list (urllib3 allows 5). Default 5. */
  maxChain?: number;
}

/** Bytes each coding may decode to before `maxRatio` applies: the first MiB. */
export const RATIO_ALLOWANCE = 1024 * 1024;

/**
 * Most bytes fed to a decompressor at once (larger chunks are fed in pieces): the bytes received
 * are counted as they are fed, so the ratio lets at most maxRatio × FEED bytes out ahead of them.
 */
const FEED = 64 * 1024;

/** What the stages of one chain share: the limits, and the bytes received so far. */
interface Budget {
  readonly maxDecoded: number;
  readonly maxRatio: number;
  received: number;
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
    if (coding === undefined || !available().includes(coding)) return new ChainDecoder([], UNLIMITED);
    codings.push(coding);
  }
  return new ChainDecoder(codings.reverse(), {
    maxDecoded: limits.maxDecodedBytes ?? Number.POSITIVE_INFINITY,
    maxRatio: limits.maxRatio ?? Number.POSITIVE_INFINITY,
    received: 0,
  });
}

const UNLIMITED: Budget = { maxDecoded: Number.POSITIVE_INFINITY, maxRatio: Number.POSITIVE_INFINITY, received: 0 };

function decodingError(coding: Coding, err: unknown): ContentDecodingError {
  if (err instanceof ContentDecodingError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new ContentDecodingError(`Cannot decode the ${coding} body: ${detail}`, { cause: err });
}

// One coding of the chain.
class Stage {
  readonly #coding: Coding;
  readonly #budget: Budget;
  /** The first stage: what it is fed is the body as received, and counts as received. */
  readonly #first: boolean;
  #open: OpenInflater | undefined;
  #inflater: Inflater | undefined;
  #lone: Uint8Array | undefined; // deflate: a lone first byte, until the second says which kind
  #out: Uint8Array[] = [];
  #total = 0;
  #error: ContentDecodingError | undefined;

  constructor(coding: Coding, budget: Budget, first: boolean) {
    this.#coding = coding;
    this.#budget = budget;
    this.#first = first;
  }

  async write(chunks: Uint8Array[]): Promise<Uint8Array[]> {
    // the runtime's decompressors load with the first bytes to decode
    if (this.#open === undefined) this.#open = await platform().decompression.load();
    const open = this.#open;
    // one piece at a time, each consumed before the next is fed: a limit crossed stops the feeding
    for (const chunk of chunks) {
      for (let at = 0; at < chunk.length; at += FEED) {
        const piece = chunk.length <= FEED ? chunk : chunk.subarray(at, at + FEED);
        if (this.#first) this.#budget.received += piece.length;
        const input = this.#input(piece, open);
        if (input === undefined || this.#inflater === undefined) continue;
        try {
          await this.#inflater.write(input);
        } catch (err) {
          throw this.#error ?? decodingError(this.#coding, err);
        }
        if (this.#error !== undefined) throw this.#error;
      }
    }
    return this.#take();
  }

  async end(): Promise<Uint8Array[]> {
    // Nothing received is an empty body, which urllib3 accepts under any coding.
    if (this.#inflater === undefined && this.#lone === undefined) return [];
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
      if (this.#lone !== undefined) {
        head = new Uint8Array(1 + chunk.length);
        head[0] = this.#lone[0] as number;
        head.set(chunk, 1);
        this.#lone = undefined;
      }
      if (head.length < 2) {
        this.#lone = head;
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

  // Every piece of output, as the decompressor delivers it: both limits are checked here.
  #sink(out: Uint8Array): void {
    if (this.#error !== undefined) return;
    this.#total += out.length;
    const { maxDecoded, maxRatio, received } = this.#budget;
    if (this.#total > maxDecoded) {
      this.#fail(
        new DecodedBodyTooLarge(
          `The ${this.#coding} body decodes to more than ${maxDecoded} bytes (max_decoded_size ${maxDecoded})`,
        ),
      );
    } else if (this.#total > RATIO_ALLOWANCE && maxRatio !== Number.POSITIVE_INFINITY) {
      if (this.#total - RATIO_ALLOWANCE > maxRatio * received) {
        this.#fail(
          new DecompressionRatioExceeded(
            `The ${this.#coding} body decoded to ${this.#total} bytes from ${received} bytes received: ` +
              `more than max_decompression_ratio ${maxRatio} times the bytes received, after the first MiB ` +
              "(a decompression bomb?). Set max_decompression_ratio to a higher ratio, or to null for no limit.",
          ),
        );
      }
    }
    if (this.#error === undefined) this.#out.push(out);
  }

  #fail(err: DecodedBodyTooLarge): void {
    this.#error = err;
    this.#out = [];
    this.#inflater?.close();
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

  constructor(codings: Coding[], budget: Budget) {
    this.codings = codings;
    this.#stages = codings.map((c, i) => new Stage(c, budget, i === 0));
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
