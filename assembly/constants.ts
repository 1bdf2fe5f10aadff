// The one source of truth for every number the engine and the TypeScript layer share:
// events, error codes, flags, framing kinds, limits and the slots of the result block.
//
// `assembly/build.mjs` reads this file and writes `src/core/generated/constants.ts` from it,
// so the TypeScript side never spells a number by hand. Keep every line in the form
//   /** doc */ export const NAME: i32 = <integer>;
// (the doc comment of an ERR_ constant is the error's message).

// ---- Events returned by parser_next / parser_skip / parser_finish -------------------------

/** All input consumed; feed more bytes (body spans may come with it). */
export const EV_NEED_MORE: i32 = 0;
/** A response head is complete: status, version, flags, headers are readable. */
export const EV_HEAD: i32 = 1;
/** The span table is full: consume the spans, then call parser_next again. */
export const EV_BODY: i32 = 2;
/** The trailer section of a chunked body is complete: trailers are in the header table. */
export const EV_TRAILERS: i32 = 3;
/** The message is complete; the parser is idle until the next parser_expect. */
export const EV_DONE: i32 = 4;
/** The connection was handed over (101, or 2xx to CONNECT); bytes from R_POS on are not HTTP. */
export const EV_UPGRADE: i32 = 5;
/** An error: R_ERROR holds the code, R_ERROR_POS the offset in the current feed. */
export const EV_ERROR: i32 = 6;

// ---- Error codes (stable; the doc comment is the message) ----------------------------------

/** No error */
export const ERR_NONE: i32 = 0;
/** Response bytes arrived while no response was expected */
export const ERR_UNSOLICITED_RESPONSE: i32 = 1;
/** Invalid HTTP version in the status line */
export const ERR_INVALID_VERSION: i32 = 2;
/** Invalid status code: expected exactly three digits, the first 1-9 */
export const ERR_INVALID_STATUS: i32 = 3;
/** Invalid character in the reason phrase */
export const ERR_INVALID_REASON: i32 = 4;
/** Expected LF after CR */
export const ERR_LF_EXPECTED: i32 = 5;
/** Invalid character in a header name */
export const ERR_INVALID_HEADER_NAME: i32 = 6;
/** Invalid character in a header value */
export const ERR_INVALID_HEADER_VALUE: i32 = 7;
/** Whitespace before the first header field */
export const ERR_LEADING_WHITESPACE: i32 = 8;
/** Response head is larger than the limit */
export const ERR_HEAD_TOO_LARGE: i32 = 9;
/** Too many header fields */
export const ERR_TOO_MANY_HEADERS: i32 = 10;
/** Invalid Content-Length value */
export const ERR_INVALID_CONTENT_LENGTH: i32 = 11;
/** Conflicting Content-Length values */
export const ERR_CONFLICTING_CONTENT_LENGTH: i32 = 12;
/** Content-Length is larger than 2^53-1 */
export const ERR_CONTENT_LENGTH_OVERFLOW: i32 = 13;
/** Transfer-Encoding and Content-Length are both present */
export const ERR_TRANSFER_ENCODING_WITH_LENGTH: i32 = 14;
/** Invalid Transfer-Encoding: chunked applied more than once */
export const ERR_INVALID_TRANSFER_ENCODING: i32 = 15;
/** Invalid character in a chunk size */
export const ERR_INVALID_CHUNK_SIZE: i32 = 16;
/** Chunk size is larger than 2^53-1 */
export const ERR_CHUNK_SIZE_OVERFLOW: i32 = 17;
/** Invalid character in a chunk extension */
export const ERR_INVALID_CHUNK_EXTENSION: i32 = 18;
/** Chunk extensions are larger than the limit */
export const ERR_CHUNK_EXTENSION_TOO_LARGE: i32 = 19;
/** Expected CRLF after chunk data */
export const ERR_INVALID_CHUNK_DATA_END: i32 = 20;
/** Trailer section is larger than the limit */
export const ERR_TRAILERS_TOO_LARGE: i32 = 21;
/** Connection closed before any byte of the response */
export const ERR_CLOSED_BEFORE_RESPONSE: i32 = 22;
/** Connection closed inside the response head */
export const ERR_INCOMPLETE_HEAD: i32 = 23;
/** Connection closed before the end of the body */
export const ERR_INCOMPLETE_BODY: i32 = 24;
/** The parser was used in a state that does not allow this call */
export const ERR_INVALID_STATE: i32 = 25;
/** WebAssembly memory could not grow */
export const ERR_OUT_OF_MEMORY: i32 = 26;
/** Invalid request method: must be a token */
export const ERR_INVALID_METHOD: i32 = 27;
/** Invalid request target: visible ASCII only, no space, CR, LF or NUL */
export const ERR_INVALID_TARGET: i32 = 28;
/** Invalid request header name: must be a token */
export const ERR_INVALID_REQUEST_HEADER_NAME: i32 = 29;
/** Invalid request header value: no CR, LF, NUL or other control character */
export const ERR_INVALID_REQUEST_HEADER_VALUE: i32 = 30;
/** A limit was set to a value out of its range */
export const ERR_INVALID_LIMIT: i32 = 31;

// ---- Flags (R_FLAGS) ------------------------------------------------------------------------

/** The connection may be reused after this response. */
export const F_KEEP_ALIVE: i32 = 1;
/** The body is chunked. */
export const F_CHUNKED: i32 = 2;
/** A valid Content-Length was present (see RF_CONTENT_LENGTH). */
export const F_CONTENT_LENGTH: i32 = 4;
/** The response is 1xx informational (not 101): another head follows. */
export const F_INFORMATIONAL: i32 = 8;
/** The connection is handed over: 101 Switching Protocols, or 2xx to CONNECT. */
export const F_UPGRADE: i32 = 16;
/** The response has no body (HEAD request, 1xx, 204, 304). */
export const F_NO_BODY: i32 = 32;
/** The body is delimited by the connection closing. */
export const F_READ_TO_CLOSE: i32 = 64;
/** A Transfer-Encoding header was present. */
export const F_TRANSFER_ENCODING: i32 = 128;

// ---- parser_expect flags --------------------------------------------------------------------

/** The request was HEAD: the response has no body whatever its headers say. */
export const EXPECT_HEAD: i32 = 1;
/** The request was CONNECT: a 2xx response opens a tunnel. */
export const EXPECT_CONNECT: i32 = 2;

// ---- Limits (parser_set_limit) --------------------------------------------------------------

/** Which limit: bytes of a response head (status line, fields, blank line), and of the empty lines skipped before it. */
export const LIMIT_HEAD_BYTES: i32 = 0;
/** Which limit: header fields in a head, and fields in a trailer section. */
export const LIMIT_HEADER_COUNT: i32 = 1;
/** Which limit: chunk-extension bytes over a whole message. */
export const LIMIT_CHUNK_EXTENSION_BYTES: i32 = 2;
/** Which limit: bytes of a trailer section. */
export const LIMIT_TRAILER_BYTES: i32 = 3;

/** Default head byte limit (16 KiB, as Node's). */
export const DEFAULT_HEAD_BYTES: i32 = 16384;
/** Default header count limit. */
export const DEFAULT_HEADER_COUNT: i32 = 128;
/** Default chunk-extension byte limit per message. */
export const DEFAULT_CHUNK_EXTENSION_BYTES: i32 = 16384;
/** Default trailer byte limit. */
export const DEFAULT_TRAILER_BYTES: i32 = 16384;
/** Largest header count limit accepted. */
export const MAX_HEADER_COUNT: i32 = 8192;
/** Largest byte limit accepted (head, trailers, chunk extensions). */
export const MAX_SECTION_BYTES: i32 = 16777216;

// ---- Result block: i32 slots (Int32Array over RESULT_PTR) -----------------------------------

/** Status code of the head. */
export const R_STATUS: i32 = 0;
/** HTTP minor version of the head (0 or 1). */
export const R_VERSION: i32 = 1;
/** F_* flags of the head. */
export const R_FLAGS: i32 = 2;
/** Header (or trailer) fields in the header table. */
export const R_HEADER_COUNT: i32 = 3;
/** Absolute address of the head (or trailer section) bytes. */
export const R_SECTION_PTR: i32 = 4;
/** Length of the head (or trailer section) bytes. */
export const R_SECTION_LEN: i32 = 5;
/** Offset of the reason phrase from R_SECTION_PTR. */
export const R_REASON_OFF: i32 = 6;
/** Length of the reason phrase. */
export const R_REASON_LEN: i32 = 7;
/** Body spans in the span table that come before the returned event. */
export const R_SPAN_COUNT: i32 = 8;
/** Error code after EV_ERROR (or a writer error). */
export const R_ERROR: i32 = 9;
/** Offset of the offending byte in the current feed (parser) or field (writer). */
export const R_ERROR_POS: i32 = 10;
/** Where parsing stopped, as an offset in the current feed. */
export const R_POS: i32 = 11;
/** Absolute address where the next feed must be written. */
export const R_INPUT_PTR: i32 = 12;
/** Bytes that fit at R_INPUT_PTR. */
export const R_INPUT_CAP: i32 = 13;
/** Absolute address of the writer area. */
export const R_WRITER_PTR: i32 = 14;
/** Bytes available in the writer area. */
export const R_WRITER_CAP: i32 = 15;
/** Absolute address of the writer's output. */
export const R_OUT_PTR: i32 = 16;
/** Length of the writer's output. */
export const R_OUT_LEN: i32 = 17;
/** Writer error: index of the offending field (0 method, 1 target, 2+2i name i, 3+2i value i). */
export const R_ERROR_FIELD: i32 = 18;
/** Absolute address of the header table: per field four i32 (name off, name len, value off, value len). */
export const R_HEADER_TABLE: i32 = 19;
/** Absolute address of the span table: per span two i32 (offset in feed, length). */
export const R_SPAN_TABLE: i32 = 20;
/** 1 when the head (or trailer section) is all ASCII, 0 when it has obs-text bytes (0x80-0xFF). */
export const R_SECTION_ASCII: i32 = 21;
/** Number of i32 slots. */
export const R_I32_SLOTS: i32 = 32;

// ---- Result block: f64 slots (Float64Array at RESULT_PTR + R_I32_SLOTS * 4) ------------------

/** Content-Length of the head, or -1. */
export const RF_CONTENT_LENGTH: i32 = 0;
/** Body bytes the host may pass by without parsing (parser_skip); Infinity when read to close. */
export const RF_BLIND: i32 = 1;
/** Body bytes delivered so far in this message. */
export const RF_BODY_BYTES: i32 = 2;
/** Number of f64 slots. */
export const RF_F64_SLOTS: i32 = 8;

/** Capacity of the span table. */
export const SPAN_CAPACITY: i32 = 64;
