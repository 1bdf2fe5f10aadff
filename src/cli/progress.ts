// Download progress on stderr: on a terminal, one bar redrawn in place with \r (bytes, percentage
// when the size is known, rate, ETA) at most 10 times a second; elsewhere plain lines, one a
// second or so, then a summary. Times come from a clock that tests may replace.

/** Where progress goes: a stream's write, and whether it is a terminal (and how wide). */
export interface ProgressOutput {
  write(text: string): void;
  isTTY: boolean;
  columns: number | undefined;
}

/** Sizes as httpie shows them: bytes below 1 kB, then kB, MB, GB, TB (powers of 1024). */
export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(2)} ${units[i]}`;
}

/** A duration as m:ss, or h:mm:ss from an hour. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** An elapsed time for the summary: "0.42 s", "12.3 s", then m:ss. */
function took(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return clock(seconds);
}

const REDRAW_MS = 100;
const LINE_MS = 1000;

export class DownloadProgress {
  readonly #out: ProgressOutput;
  readonly #name: string;
  readonly #now: () => number;
  #started = 0;
  #last = Number.NEGATIVE_INFINITY;
  #loaded = 0;
  #total: number | undefined;
  #drawn = false;
  #done = false;

  constructor(out: ProgressOutput, name: string, now: () => number = () => performance.now()) {
    this.#out = out;
    this.#name = name;
    this.#now = now;
  }

  /** The download begins (the response head arrived). */
  start(total: number | undefined): void {
    this.#started = this.#now();
    this.#total = total;
    this.#out.write(
      `Downloading ${total === undefined ? "" : `${humanBytes(total)} `}to ${JSON.stringify(this.#name)}\n`,
    );
    if (!this.#out.isTTY) {
      this.#last = this.#started;
      return;
    }
    this.#draw();
  }

  /** Bytes received so far (and the total, when known). */
  update(loaded: number, total: number | undefined): void {
    if (this.#done) return;
    this.#loaded = loaded;
    if (total !== undefined) this.#total = total;
    const now = this.#now();
    if (this.#out.isTTY) {
      if (now - this.#last >= REDRAW_MS) this.#draw();
    } else if (now - this.#last >= LINE_MS) {
      this.#last = now;
      this.#out.write(`  ${this.#status(now)}\n`);
    }
  }

  /** The body is saved: the bar at its final state, then a summary line. */
  finish(written: number): void {
    if (this.#done) return;
    if (this.#out.isTTY) {
      this.#loaded = Math.max(this.#loaded, written);
      this.#draw();
      this.#out.write("\n");
    }
    this.#done = true;
    const seconds = Math.max((this.#now() - this.#started) / 1000, 1e-6);
    this.#out.write(
      `Done: ${humanBytes(written)} in ${took(seconds)} (${humanBytes(Math.round(written / seconds))}/s), saved to ${JSON.stringify(this.#name)}\n`,
    );
  }

  /** The download failed: the bar's line is ended, so that the error gets a line of its own. */
  abort(): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#out.isTTY && this.#drawn) this.#out.write("\n");
  }

  /** "1.10 MB / 2.60 MB (42%), 3.20 MB/s, ETA 0:01" */
  #status(now: number): string {
    const seconds = (now - this.#started) / 1000;
    const rate = seconds > 0 ? this.#loaded / seconds : 0;
    const total = this.#total;
    if (total === undefined) return `${humanBytes(this.#loaded)}, ${humanBytes(Math.round(rate))}/s`;
    const pct = total === 0 ? 100 : Math.min(100, Math.floor((this.#loaded / total) * 100));
    const eta = rate > 0 && this.#loaded < total ? `, ETA ${clock((total - this.#loaded) / rate)}` : "";
    return `${humanBytes(this.#loaded)} / ${humanBytes(total)} (${pct}%), ${humanBytes(Math.round(rate))}/s${eta}`;
  }

  /** Redraws the bar: " 42% [=====>     ] 1.10 MB / 2.60 MB  3.20 MB/s  ETA 0:01". */
  #draw(): void {
    const now = this.#now();
    this.#last = now;
    this.#drawn = true;
    const seconds = (now - this.#started) / 1000;
    const rate = seconds > 0 ? this.#loaded / seconds : 0;
    const total = this.#total;
    const speed = `${humanBytes(Math.round(rate))}/s`;
    let line: string;
    if (total === undefined) {
      line = `${humanBytes(this.#loaded)}  ${speed}`;
    } else {
      const fraction = total === 0 ? 1 : Math.min(1, this.#loaded / total);
      const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
      const eta = rate > 0 && fraction < 1 ? `ETA ${clock((total - this.#loaded) / rate)}` : "";
      const tail = ` ${humanBytes(this.#loaded)} / ${humanBytes(total)}  ${speed}  ${eta}`.trimEnd();
      const columns = this.#out.columns !== undefined && this.#out.columns > 0 ? this.#out.columns : 80;
      // a fixed width (the tail varies): room for "100% [] 1023.99 MB / 1023.99 MB  1023.99 MB/s  ETA 0:00:00"
      const width = Math.max(10, Math.min(30, columns - 62));
      const filled = Math.floor(fraction * width);
      const bar = fraction >= 1 ? "=".repeat(width) : `${"=".repeat(filled)}>${" ".repeat(width - filled - 1)}`;
      line = `${pct} [${bar}]${tail}`;
    }
    // \r back to the start, the line, then clear what a longer previous line left
    this.#out.write(`\r${line}\x1b[K`);
  }
}
