// The core: the engine's parser and writer for JS, with no I/O and no loader. Each runtime's
// entry imports the loader that fits it (load-inline.ts or load-module.ts) before this is used.

export { CoreError, ParseError, SerializeError } from "../errors.js";
export { setEngineSource } from "./engine.js";
export { FieldSection } from "./fields.js";
export { ERROR_MESSAGES, ERROR_NAMES } from "./generated/error-names.js";
export { type ExpectOptions, ParserEvent, type ParserLimits, ResponseParser } from "./parser.js";
export { type HeaderList, RequestWriter, sharedWriter } from "./writer.js";
