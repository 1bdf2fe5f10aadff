// bench/results.svg: a bar chart of the user workloads of bench/e2e.ts, written by hand (no
// dependency). One panel per scenario, two panels a row, each with its own scale (req/s differ a
// lot between scenarios); one row per client, the value at the end of its bar, and for reqwire
// its ratio to undici.request. A white background keeps it readable on dark pages; 880 px wide,
// about the width of a README on GitHub.

export interface Bar {
  label: string;
  value: number;
  /** reqwire's rows, the references (undici.request, fetch), the other peers. */
  kind: "reqwire" | "ref" | "peer";
  /** Shown after the value (reqwire: its ratio to undici.request). */
  note?: string | undefined;
}

export interface Chart {
  title: string;
  /** Lines under the chart. */
  caption: string[];
  groups: Array<{ title: string; bars: Bar[] }>;
}

const WIDTH = 880;
const MARGIN = 12;
const GAP = 16;
const PANEL_W = (WIDTH - 2 * MARGIN - GAP) / 2;
const LABEL_W = 128;
const BAR_MAX = 130;
const ROW_H = 22;
const BAR_H = 14;
const PANEL_HEAD = 30;
const TOP = 44;
const FONT = "font-family=\"-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif\"";

const escapeXml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");

/** Fill colours: reqwire's rows in two blues (in order), the references orange, the rest grey. */
function colour(bar: Bar, reqwireIndex: number): string {
  if (bar.kind === "reqwire") return reqwireIndex === 0 ? "#1864ab" : "#4dabf7";
  if (bar.kind === "ref") return "#f08c00";
  return "#adb5bd";
}

function panel(x: number, y: number, g: Chart["groups"][number]): string[] {
  const out: string[] = [];
  const max = Math.max(1, ...g.bars.map((b) => b.value));
  out.push(
    `<text x="${x}" y="${y + 18}" font-size="13.5" font-weight="600" fill="#212529">${escapeXml(g.title)}</text>`,
  );
  const x0 = x + LABEL_W;
  const rowsTop = y + PANEL_HEAD;
  out.push(
    `<line x1="${x0}" y1="${rowsTop - 3}" x2="${x0}" y2="${rowsTop + g.bars.length * ROW_H - 5}" stroke="#868e96" stroke-width="1"/>`,
  );
  let reqwireIndex = 0;
  g.bars.forEach((b, i) => {
    const cy = rowsTop + i * ROW_H;
    const w = Math.max(1, (b.value / max) * BAR_MAX);
    const fill = colour(b, reqwireIndex);
    if (b.kind === "reqwire") reqwireIndex++;
    const weight = b.kind === "reqwire" ? ' font-weight="600"' : "";
    out.push(
      `<text x="${x0 - 6}" y="${cy + BAR_H - 3}" font-size="11.5" text-anchor="end" fill="#343a40"${weight}>${escapeXml(b.label)}</text>`,
      `<rect x="${x0}" y="${cy}" width="${w.toFixed(1)}" height="${BAR_H}" rx="2" fill="${fill}"/>`,
      `<text x="${(x0 + w + 5).toFixed(1)}" y="${cy + BAR_H - 3}" font-size="11" fill="#343a40"${weight}>` +
        `${fmtInt(b.value)}${b.note === undefined ? "" : ` · ${escapeXml(b.note)}`}</text>`,
    );
  });
  return out;
}

/** The chart as an SVG document. */
export function renderChart(c: Chart): string {
  const rows = Math.ceil(c.groups.length / 2);
  const panelH = PANEL_HEAD + Math.max(1, ...c.groups.map((g) => g.bars.length)) * ROW_H + 8;
  const height = TOP + rows * (panelH + 8) + 10 + 16 * c.caption.length;
  const body: string[] = [];
  c.groups.forEach((g, i) => {
    const x = MARGIN + (i % 2) * (PANEL_W + GAP);
    const y = TOP + Math.floor(i / 2) * (panelH + 8);
    body.push(...panel(x, y, g));
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT}>`,
    `<title>${escapeXml(c.title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" rx="6" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="26" font-size="15" font-weight="700" fill="#212529">${escapeXml(c.title)}</text>`,
    ...body,
    ...c.caption.map(
      (line, i) =>
        `<text x="${MARGIN}" y="${height - 12 - 16 * (c.caption.length - 1 - i)}" font-size="11" fill="#495057">${escapeXml(line)}</text>`,
    ),
    "</svg>",
    "",
  ].join("\n");
}
