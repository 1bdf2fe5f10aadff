// reqwire's engine: an HTTP/1.1 response parser and request writer over linear memory, and two
// text passes (UTF-8 decoding, json.dumps spacing). Sans-IO, zero imports. See parser.ts,
// writer.ts, text.ts and json.ts for the protocols with the host, and layout.ts for the memory map.

export { result_ptr } from "./layout";
export {
  parser_expect,
  parser_feed,
  parser_finish,
  parser_get_limit,
  parser_next,
  parser_reserve,
  parser_reset,
  parser_set_limit,
  parser_skip,
} from "./parser";
export { json_python } from "./json";
export { text_decode_utf8 } from "./text";
export { writer_chunk_head, writer_head, writer_last_chunk, writer_reserve } from "./writer";
