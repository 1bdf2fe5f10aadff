// The error of content decoding, apart from the decoders (decode.ts), which load only with the
// first encoded body: the receiving side tells it from other failures without loading them.

/** Why decoding failed. */
export type DecodeErrorCode = "CONTENT_DECODING_ERROR" | "DECODED_BODY_TOO_LARGE" | "ENCODING_CHAIN_TOO_LONG";

/** A response body cannot be decoded. `cause` holds the decompressor's own error, if any. */
export class DecodeError extends Error {
  /** What went wrong: corrupt data, a decoded size over the limit, or too many codings. */
  readonly code: DecodeErrorCode;

  constructor(code: DecodeErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DecodeError";
    this.code = code;
  }
}
