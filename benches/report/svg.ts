// Hand-written SVG charts for the bench report: horizontal grouped bars, one value printed on
// each bar, axis ticks and labels, a title and a subtitle line (date, machine). Self-contained
// (no fonts, scripts or links) and deterministic: the same input gives the same bytes.

/** One bar series: a name for the legend, a fill colour and one value per category (null: no bar). */
export interface Series {
  name: string
  color: string
  values: (number | null)[]
}

/** One panel of grouped horizontal bars. */
export interface Panel {
  /** Heading above the panel (optional when the chart has one panel). */
  heading?: string
  categories: string[]
  series: Series[]
  /** Axis label under the ticks. */
  axisLabel: string
  /** How a value is printed on its bar. */
  format: (v: number) => string
  scale: 'linear' | 'log'
  /** Linear scale: the axis maximum (default: the largest value, rounded up to a tick). */
  max?: number
}

export interface Chart {
  title: string
  /** Lines under the title (date, machine, how measured). */
  subtitle: string[]
  panels: Panel[]
}

const WIDTH = 960
const LEFT = 300
const RIGHT = 90
const BAR = 15
const BAR_GAP = 3
const GROUP_GAP = 14
const FONT = 'font-family="Helvetica, Arial, sans-serif"'

/** Escapes text for an SVG text node or attribute. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** Category labels longer than this are cut with an ellipsis (the full text stays in the bar titles). */
const LABEL_MAX = 46

/** Cuts a label to {@link LABEL_MAX} characters. */
function fit(label: string): string {
  return label.length <= LABEL_MAX ? label : `${label.slice(0, LABEL_MAX - 1)}…`
}

/** Subtitle lines are wrapped at this many characters (12 px text across the chart's width). */
const SUBTITLE_CHARS = 140

/** Word-wraps a line at `max` characters. */
function wrap(line: string, max: number): string[] {
  const out: string[] = []
  let cur = ''
  for (const word of line.split(' ')) {
    if (cur && cur.length + 1 + word.length > max) {
      out.push(cur)
      cur = word
    } else cur = cur ? `${cur} ${word}` : word
  }
  if (cur) out.push(cur)
  return out
}

/** Rounds to 2 decimals so that coordinates are short and stable. */
const r2 = (x: number) => String(Math.round(x * 100) / 100)

/** A "nice" linear axis: tick step and maximum covering `max`. */
function linearTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1]
  const raw = max / 5
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!
  const ticks: number[] = []
  for (let t = 0; t < max + step * 1e-9; t += step) ticks.push(Math.round(t * 1e9) / 1e9)
  if (ticks[ticks.length - 1] < max) ticks.push(Math.round((ticks[ticks.length - 1] + step) * 1e9) / 1e9)
  return ticks
}

/** Powers of ten covering every positive value. */
function logTicks(values: number[]): number[] {
  const pos = values.filter((v) => v > 0)
  const lo = Math.floor(Math.log10(Math.min(...pos)))
  const hi = Math.ceil(Math.log10(Math.max(...pos)))
  const ticks: number[] = []
  for (let e = lo; e <= Math.max(hi, lo + 1); e++) ticks.push(10 ** e)
  return ticks
}

/** Tick label: no trailing zeros, no exponent. */
function tickLabel(t: number): string {
  return t >= 1 ? String(Math.round(t * 1000) / 1000) : String(Number(t.toPrecision(3)))
}

/** Renders one panel at vertical offset `y0`; returns the SVG and the height used. */
function panel(p: Panel, y0: number): { svg: string; height: number } {
  const out: string[] = []
  let y = y0
  const values = p.series.flatMap((s) => s.values).filter((v): v is number => v !== null)
  const plotW = WIDTH - LEFT - RIGHT
  const ticks = p.scale === 'log' ? logTicks(values) : linearTicks(p.max ?? Math.max(...values, 0))
  const lo = ticks[0]
  const hi = ticks[ticks.length - 1]
  const xOf = (v: number) =>
    p.scale === 'log' ? LEFT + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotW : LEFT + ((v - lo) / (hi - lo)) * plotW
  const groupH = p.series.length * (BAR + BAR_GAP) - BAR_GAP
  const plotH = p.categories.length * (groupH + GROUP_GAP) + GROUP_GAP
  const top = y
  for (const t of ticks) {
    const x = r2(xOf(t))
    out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + plotH}" stroke="#e3e3e3"/>`)
    out.push(`<text x="${x}" y="${top + plotH + 16}" font-size="11" text-anchor="middle" fill="#444" ${FONT}>${esc(tickLabel(t))}</text>`)
  }
  out.push(`<line x1="${LEFT}" y1="${top}" x2="${LEFT}" y2="${top + plotH}" stroke="#888"/>`)
  out.push(`<line x1="${LEFT}" y1="${top + plotH}" x2="${LEFT + plotW}" y2="${top + plotH}" stroke="#888"/>`)
  p.categories.forEach((cat, ci) => {
    const gy = top + GROUP_GAP + ci * (groupH + GROUP_GAP)
    out.push(`<text x="${LEFT - 10}" y="${r2(gy + groupH / 2 + 4)}" font-size="12" text-anchor="end" ${FONT}>${esc(fit(cat))}</text>`)
    p.series.forEach((s, si) => {
      const v = s.values[ci]
      const by = gy + si * (BAR + BAR_GAP)
      if (v === null || v === undefined) {
        out.push(`<text x="${LEFT + 4}" y="${by + BAR - 4}" font-size="10" fill="#888" ${FONT}>n/a</text>`)
        return
      }
      const w = Math.max(1, xOf(v) - LEFT)
      out.push(`<rect x="${LEFT}" y="${by}" width="${r2(w)}" height="${BAR}" fill="${s.color}"><title>${esc(`${s.name}, ${cat}: ${p.format(v)}`)}</title></rect>`)
      out.push(`<text x="${r2(LEFT + w + 4)}" y="${by + BAR - 4}" font-size="11" fill="#222" ${FONT}>${esc(p.format(v))}</text>`)
    })
  })
  y = top + plotH + 34
  out.push(`<text x="${LEFT + plotW / 2}" y="${y}" font-size="12" text-anchor="middle" fill="#222" ${FONT}>${esc(p.axisLabel)}</text>`)
  y += 10
  return { svg: out.join('\n'), height: y - y0 }
}

/** The legend: one swatch per series of the first panel that has them all. */
function legend(series: Series[], y: number): string {
  let x = LEFT
  return series
    .map((s) => {
      const item = `<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${s.color}"/><text x="${x + 17}" y="${y}" font-size="12" ${FONT}>${esc(s.name)}</text>`
      x += 30 + s.name.length * 6.6
      return item
    })
    .join('\n')
}

/** A whole chart: title, subtitle lines, legend per panel, panels stacked vertically. */
export function renderChart(c: Chart): string {
  const parts: string[] = []
  let y = 28
  parts.push(`<text x="16" y="${y}" font-size="18" font-weight="bold" ${FONT}>${esc(c.title)}</text>`)
  for (const line of c.subtitle.flatMap((l) => wrap(l, SUBTITLE_CHARS))) {
    y += 18
    parts.push(`<text x="16" y="${y}" font-size="12" fill="#555" ${FONT}>${esc(line)}</text>`)
  }
  y += 14
  for (const p of c.panels) {
    if (p.heading) {
      y += 22
      parts.push(`<text x="16" y="${y}" font-size="14" font-weight="bold" ${FONT}>${esc(p.heading)}</text>`)
    }
    y += 20
    parts.push(legend(p.series, y))
    y += 12
    const { svg, height } = panel(p, y)
    parts.push(svg)
    y += height
  }
  const height = y + 8
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${esc(c.title)}">`,
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n')
}
