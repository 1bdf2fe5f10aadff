// Header dictionaries in the manner of requests.structures.CaseInsensitiveDict: lookups ignore
// case, iteration shows each name as it was last set. Response headers answer reads by name from
// the fields as received and are copied in (as fromRawFields builds them: repeated fields joined
// the way urllib3 does, the separate values kept) only when something else needs them.

import type { HeaderFields } from "../http/connection.js";

/** What a CaseInsensitiveDict can be built from. Nullish values of a plain object are skipped. */
export type DictInit =
  | CaseInsensitiveDict
  | Iterable<readonly [string, string]>
  | Readonly<Record<string, string | null | undefined>>
  | null
  | undefined;

/** A CaseInsensitiveDict whose headers can also be read and written as properties (see `proxied`). */
export type ProxiedDict = CaseInsensitiveDict & { [name: string]: string | undefined };

// A proxy gives the dict it wraps for this key, so that methods run on the dict itself (private
// fields do not reach through a proxy, and no trap runs inside a method). A key, not a WeakMap
// entry per proxy: response headers make a proxy per response.
const TARGET: unique symbol = Symbol("CaseInsensitiveDict target");

/** The dict behind a proxy, or the value itself. */
function unwrap<T>(value: T): T | CaseInsensitiveDict {
  return (value as { [TARGET]?: CaseInsensitiveDict })[TARGET] ?? value;
}
// dict ⇒ its proxy, for CaseInsensitiveDict.view
const views = new WeakMap<CaseInsensitiveDict, ProxiedDict>();

function checkValue(name: string, value: unknown): asserts value is string {
  if (typeof value !== "string") {
    throw new TypeError(`Header value of "${name}" must be a string, got ${value === null ? "null" : typeof value}`);
  }
}

/** The store of every dict that has no field of its own yet (a response's until it is copied in). */
const NO_FIELDS: ReadonlyMap<string, readonly [string, string]> = new Map();

/**
 * A mapping from header names to string values in which names compare case-insensitively.
 *
 * Each name is displayed (by `keys()`, iteration, `toJSON()`) with the case it was last set with,
 * at the position where it was first set. The methods never go through a proxy, even when called
 * on the object returned by {@link CaseInsensitiveDict.proxied}.
 */
export class CaseInsensitiveDict {
  // lower-case name ⇒ [name as last set, value]; NO_FIELDS (shared, never changed) until a name is set
  #store: ReadonlyMap<string, readonly [string, string]> = NO_FIELDS;
  // fields as received, not copied into #store yet: single lookups answer from them (a response's
  // headers are mostly read by name, a few at most), anything else copies them in first
  #received: HeaderFields | undefined;
  // lower-case name ⇒ the separate values of a field received more than once (fromRawFields)
  #lists: Map<string, string[]> | undefined;
  // whether copy() should return a proxied dict
  #proxied = false;
  // whether #store and #lists are shared with another dict (a copy takes them as they are, and
  // whichever of the two changes first makes its own: a request's headers, copied from the
  // session's, cost nothing unless the request changes them), or #store is NO_FIELDS
  #shared = true;

  /**
   * Builds a dict from a plain object, `[name, value]` pairs (an array, a Map, a fetch `Headers`),
   * or another dict (whose separate values, see {@link getAll}, are copied too). When a name
   * repeats, the last value wins. A plain object's `null`/`undefined` values are skipped.
   * @throws TypeError when a value is not a string.
   */
  constructor(init?: DictInit) {
    if (init != null) this.update(init);
  }

  /** The store to change: the dict's own (made now if it shares one), the received fields in it. */
  #writable(): Map<string, readonly [string, string]> {
    const store = this.#map();
    if (!this.#shared) return store as Map<string, readonly [string, string]>; // its own
    this.#shared = false;
    const own = new Map(store);
    this.#store = own;
    const lists = this.#lists;
    if (lists !== undefined) {
      const ownLists = new Map<string, string[]>();
      for (const [lower, list] of lists) ownLists.set(lower, list.slice());
      this.#lists = ownLists;
    }
    return own;
  }

  /** The store, with the received fields copied in first if they are still apart. */
  #map(): ReadonlyMap<string, readonly [string, string]> {
    const received = this.#received;
    if (received !== undefined) {
      this.#received = undefined;
      for (const [name, value] of received.entries()) this.append(name, value);
    }
    return this.#store;
  }

  /**
   * Response headers from fields as received (see {@link fromRawFields}), proxied; the fields are
   * only copied into the dict when something other than get/has by name needs them.
   * @internal
   */
  static _fromReceived(fields: HeaderFields): ProxiedDict {
    const dict = new CaseInsensitiveDict();
    dict.#received = fields;
    dict.#proxied = true;
    return wrap(dict);
  }

  /**
   * Wraps a new dict built from `init` in a Proxy on which headers are also properties:
   * `h["content-type"]` reads, `h["Content-Type"] = "x"` sets, `delete h["X-A"]` and assigning
   * `null`/`undefined` delete, `"accept" in h` tests, and `Object.keys(h)` lists the names.
   * Members of the class (`get`, `size`, `keys`, `toJSON`, …, `constructor`, `toString`) take
   * precedence over a header of the same name, which then only the methods reach.
   */
  static proxied(init?: DictInit): ProxiedDict {
    const dict = new CaseInsensitiveDict(init);
    dict.#proxied = true;
    return wrap(dict);
  }

  /**
   * The proxied view of an existing dict (made once per dict, then the same object): writes
   * through it change the dict. For internals that want a plain dict and give users the view
   * only when they ask for it.
   */
  static view(dict: CaseInsensitiveDict): ProxiedDict {
    const target = unwrap(dict);
    let proxy = views.get(target);
    if (proxy === undefined) {
      target.#proxied = true;
      proxy = wrap(target);
      views.set(target, proxy);
    }
    return proxy;
  }

  /** Number of distinct names. */
  get size(): number {
    return this.#map().size;
  }

  /** The value of `name` (any case), or `undefined` when it is absent. */
  get(name: string): string | undefined;
  /** The value of `name` (any case), or `fallback` when it is absent. */
  get<D>(name: string, fallback: D): string | D;
  get<D>(name: string, fallback?: D): string | D | undefined {
    if (this.#received !== undefined) return this.#received.get(name.toLowerCase()) ?? fallback;
    const entry = this.#map().get(name.toLowerCase());
    return entry === undefined ? fallback : entry[1];
  }

  /**
   * Every value received for `name`: the separate values when the field came more than once
   * (e.g. each `Set-Cookie`), else `[value]`, or `[]` when absent.
   */
  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    const store = this.#map();
    const list = this.#lists?.get(lower);
    if (list !== undefined) return list.slice();
    const entry = store.get(lower);
    return entry === undefined ? [] : [entry[1]];
  }

  /**
   * Sets `name` to `value`, replacing any value under another case; the name is displayed as
   * given here from now on.
   * @throws TypeError when `value` is not a string.
   */
  set(name: string, value: string): this {
    checkValue(name, value);
    const lower = name.toLowerCase();
    this.#writable().set(lower, [name, value]);
    this.#lists?.delete(lower);
    return this;
  }

  /**
   * Adds a value as a repeated field would: joined to the present one with ", " (as urllib3 joins
   * them), the separate values staying available through {@link getAll}. The name keeps the case
   * it was first given.
   * @throws TypeError when `value` is not a string.
   */
  append(name: string, value: string): this {
    checkValue(name, value);
    const lower = name.toLowerCase();
    const store = this.#writable();
    const entry = store.get(lower);
    if (entry === undefined) {
      store.set(lower, [name, value]);
      return this;
    }
    this.#lists ??= new Map();
    const list = this.#lists.get(lower);
    if (list === undefined) this.#lists.set(lower, [entry[1], value]);
    else list.push(value);
    // a new pair, never a change to the stored one: copies of this dict share their pairs
    store.set(lower, [entry[0], `${entry[1]}, ${value}`]);
    return this;
  }

  /** Whether `name` (any case) is present. */
  has(name: string): boolean {
    if (this.#received !== undefined) return this.#received.indexOf(name.toLowerCase()) >= 0;
    return this.#map().has(name.toLowerCase());
  }

  /** Removes `name` (any case); returns whether it was present. */
  delete(name: string): boolean {
    const lower = name.toLowerCase();
    const store = this.#writable();
    this.#lists?.delete(lower);
    return store.delete(lower);
  }

  /**
   * Sets every name of `other` (same forms as the constructor), as dict.update does.
   * @throws TypeError when a value is not a string.
   */
  update(other: DictInit): this {
    if (other == null) return this;
    const source = unwrap(other);
    if (source instanceof CaseInsensitiveDict) {
      // forEach, not for-of: no entry array per header (this runs for every request); the pairs
      // are shared, as no pair is ever changed once stored
      const from = source.#map();
      const lists = source.#lists;
      if (this.#received === undefined && this.#store.size === 0) {
        // a copy of a dict: share its store until either changes
        this.#store = from;
        this.#lists = lists;
        this.#shared = true;
        source.#shared = true;
        return this;
      }
      const store = this.#writable();
      from.forEach((entry, lower) => {
        store.set(lower, entry);
        const list = lists?.get(lower);
        if (list !== undefined) {
          this.#lists ??= new Map();
          this.#lists.set(lower, list.slice());
        } else {
          this.#lists?.delete(lower);
        }
      });
    } else if (Symbol.iterator in source) {
      for (const pair of source as Iterable<readonly [string, string]>) {
        if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError("Header pairs must be [name, value]");
        this.set(String(pair[0]), pair[1]);
      }
    } else {
      for (const name of Object.keys(source)) {
        const value = (source as Record<string, unknown>)[name];
        if (value != null) this.set(name, value as string);
      }
    }
    return this;
  }

  /** Removes every name. */
  clear(): void {
    this.#store = NO_FIELDS;
    this.#shared = true;
    this.#received = undefined;
    this.#lists = undefined;
  }

  /** The names, each in the case it was last set with. */
  *keys(): IterableIterator<string> {
    for (const entry of this.#map().values()) yield entry[0];
  }

  /** The values, in the order of {@link keys}. */
  *values(): IterableIterator<string> {
    for (const entry of this.#map().values()) yield entry[1];
  }

  /** `[name, value]` pairs, names in the case they were last set with. */
  *entries(): IterableIterator<[string, string]> {
    for (const entry of this.#map().values()) yield [entry[0], entry[1]];
  }

  /**
   * The stored `[name, value]` pairs in order, after `first` when given, without copying them
   * (internal: callers must not change them).
   * @internal
   */
  _pairs(first?: readonly [string, string]): Array<readonly [string, string]> {
    const out: Array<readonly [string, string]> = first === undefined ? [] : [first];
    for (const entry of this.#map().values()) out.push(entry);
    return out;
  }

  /**
   * Calls `check(name, value)` for every header, without making pairs (internal).
   * @internal
   */
  _each(check: (name: string, value: string) => void): void {
    for (const entry of this.#map().values()) check(entry[0], entry[1]);
  }

  /** Same as {@link entries}. */
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** `[lower-case name, value]` pairs, like requests' `lower_items()`. */
  *lowerItems(): IterableIterator<[string, string]> {
    for (const [lower, entry] of this.#map()) yield [lower, entry[1]];
  }

  /** A plain object of name ⇒ value (names as last set); what JSON.stringify shows. */
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.entries());
  }

  /** An independent copy, proxied if this dict is. */
  copy(): this {
    return (this.#proxied ? CaseInsensitiveDict.proxied(this) : new CaseInsensitiveDict(this)) as this;
  }

  /** Shows the headers in console.log / util.inspect (Node, Bun, Deno's Node compatibility). */
  [Symbol.for("nodejs.util.inspect.custom")](
    _depth: number,
    options: unknown,
    inspect: (value: unknown, options: unknown) => string,
  ): string {
    return `CaseInsensitiveDict ${inspect(this.toJSON(), options)}`;
  }
}

/**
 * Builds response headers from fields as received: a field that comes more than once is joined
 * with ", " as urllib3 and requests do (also Set-Cookie, whose separate values stay available
 * through `getAll("set-cookie")`); each name keeps the case of its first occurrence.
 * @param options.proxied return a dict with property access (see CaseInsensitiveDict.proxied)
 */
export function fromRawFields(pairs: Iterable<readonly [string, string]>, options: { proxied: true }): ProxiedDict;
export function fromRawFields(
  pairs: Iterable<readonly [string, string]>,
  options?: { proxied?: boolean },
): CaseInsensitiveDict;
export function fromRawFields(
  pairs: Iterable<readonly [string, string]>,
  options?: { proxied?: boolean },
): CaseInsensitiveDict {
  const dict = options?.proxied ? CaseInsensitiveDict.proxied() : new CaseInsensitiveDict();
  for (const [name, value] of pairs) dict.append(name, value);
  return dict;
}

// Members are the class's own and inherited properties (methods, `size`, Object.prototype's).
function isMember(target: CaseInsensitiveDict, key: string | symbol): boolean {
  return typeof key === "symbol" || key in target;
}

function wrap(dict: CaseInsensitiveDict): ProxiedDict {
  // Methods are bound to the dict once, so a call through the proxy costs one trap, not one per
  // internal access.
  let bound: Map<PropertyKey, unknown> | undefined;
  const proxy = new Proxy(dict, {
    get(target, key) {
      if (!isMember(target, key)) return target.get(key as string);
      if (key === TARGET) return target;
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function" || key === "constructor") return value;
      bound ??= new Map();
      let fn = bound.get(key);
      if (fn === undefined) {
        fn = value.bind(target);
        bound.set(key, fn);
      }
      return fn;
    },
    set(target, key, value) {
      if (isMember(target, key)) return false;
      if (value == null) target.delete(key as string);
      else target.set(key as string, value);
      return true;
    },
    deleteProperty(target, key) {
      if (isMember(target, key)) return false;
      target.delete(key as string);
      return true;
    },
    has(target, key) {
      return isMember(target, key) || target.has(key as string);
    },
    ownKeys(target) {
      const names: string[] = [];
      for (const name of target.keys()) if (!isMember(target, name)) names.push(name);
      return names;
    },
    getOwnPropertyDescriptor(target, key) {
      if (isMember(target, key)) return undefined;
      const value = target.get(key as string);
      if (value === undefined) return undefined;
      return { value, writable: true, enumerable: true, configurable: true };
    },
    defineProperty() {
      return false;
    },
  });
  return proxy as ProxiedDict;
}
