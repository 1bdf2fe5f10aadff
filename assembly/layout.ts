// Linear memory layout and the result block, shared by the parser and the writer.
//
// Everything lives above __heap_base; every region starts 16-byte aligned. The module never
// allocates objects: regions are laid out here and grown with memory.grow.
//
//   RESULT_PTR  +---------------------------+
//               | i32 slots x R_I32_SLOTS   |  R_*  status, flags, pointers, error, ...
//               | f64 slots x RF_F64_SLOTS  |  RF_* content length, blind bytes, body bytes
//   spanTable   +---------------------------+
//               | SPAN_CAPACITY x (i32,i32) |  body spans: offset in the current feed, length
//   headerTable +---------------------------+
//               | headerCap x 4 x i32       |  name off, name len, value off, value len
//               |                           |  (offsets from the start of the section)
//   inputPtr    +---------------------------+
//               | carry | feed ...          |  head bytes kept from the previous feed, then
//               |                           |  the bytes the host wrote for this feed
//   writerPtr   +---------------------------+
//               | spec | output             |  request fields from the host, then the head
//   memoryEnd   +---------------------------+  (grows on demand)

import {
  DEFAULT_HEADER_COUNT,
  R_HEADER_TABLE,
  R_I32_SLOTS,
  R_INPUT_CAP,
  R_INPUT_PTR,
  R_SPAN_TABLE,
  R_WRITER_CAP,
  R_WRITER_PTR,
  RF_F64_SLOTS,
  SPAN_CAPACITY,
} from "./constants";

/** Initial bytes of the input area; it grows to fit the largest feed. */
const INITIAL_INPUT: u32 = 16384;
/** Initial bytes of the writer area. */
const INITIAL_WRITER: u32 = 4096;

// @ts-ignore: decorator
@inline
function align16(n: usize): usize {
  return (n + 15) & ~(<usize>15);
}

export const RESULT_PTR: usize = align16(__heap_base);
const F64_PTR: usize = RESULT_PTR + <usize>R_I32_SLOTS * 4;
export const SPAN_PTR: usize = align16(F64_PTR + <usize>RF_F64_SLOTS * 8);
const TABLE_PTR: usize = align16(SPAN_PTR + <usize>SPAN_CAPACITY * 8);

export let headerTable: usize = TABLE_PTR;
export let headerCap: u32 = 0;
export let inputPtr: usize = 0;
export let inputCap: u32 = 0;
export let writerPtr: usize = 0;
export let writerCap: u32 = 0;

// @ts-ignore: decorator
@inline
export function setR(slot: i32, value: i32): void {
  store<i32>(RESULT_PTR + (<usize>slot << 2), value);
}

// @ts-ignore: decorator
@inline
export function setF(slot: i32, value: f64): void {
  store<f64>(F64_PTR + (<usize>slot << 3), value);
}

/** Grows memory so that [0, end) is addressable. */
function ensureMemory(end: usize): bool {
  const have = <usize>memory.size() << 16;
  if (end <= have) return true;
  const pages = <i32>((end - have + 0xffff) >> 16);
  return memory.grow(pages) >= 0;
}

/**
 * Places the header table, the input area and the writer area for the given capacities.
 * `carry` bytes at the start of the input area are kept (moved if the area moves).
 * The writer area's content is transient and not kept. Returns false when memory cannot grow.
 */
export function relayout(newHeaderCap: u32, newInputCap: u32, newWriterCap: u32, carry: u32): bool {
  const newInput = align16(TABLE_PTR + <usize>newHeaderCap * 16);
  const newWriter = align16(newInput + <usize>newInputCap);
  if (!ensureMemory(newWriter + <usize>newWriterCap)) return false;
  if (carry > 0 && newInput != inputPtr) memory.copy(newInput, inputPtr, carry);
  headerCap = newHeaderCap;
  inputPtr = newInput;
  inputCap = newInputCap;
  writerPtr = newWriter;
  writerCap = newWriterCap;
  setR(R_HEADER_TABLE, <i32>headerTable);
  setR(R_SPAN_TABLE, <i32>SPAN_PTR);
  setR(R_INPUT_PTR, <i32>inputPtr);
  setR(R_INPUT_CAP, <i32>inputCap);
  setR(R_WRITER_PTR, <i32>writerPtr);
  setR(R_WRITER_CAP, <i32>writerCap);
  return true;
}

relayout(<u32>DEFAULT_HEADER_COUNT, INITIAL_INPUT, INITIAL_WRITER, 0);

/** Address of the result block (i32 slots, then f64 slots). */
export function result_ptr(): usize {
  return RESULT_PTR;
}
