// A Reply's chart as a PNG: vega-lite spec → vega SVG (no canvas) → resvg PNG. resvg draws no text
// at all when it finds no font — silently — so the DejaVu files that ship as an npm dependency are
// passed explicitly, and system fonts are never consulted (the same pixels on every machine).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { ReplyChart } from '../core/reply.ts';

export const CHART_FONT = 'DejaVu Sans';
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

let fontPaths: string[] | undefined;

/** The DejaVu TTF files from the `dejavu-fonts-ttf` package; throws when they are missing. */
export function chartFontFiles(): string[] {
  if (fontPaths) return fontPaths;
  const pkg = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json');
  const paths = FONT_FILES.map((f) => join(dirname(pkg), 'ttf', f));
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length) throw new Error(`Chart fonts are missing (${missing.join(', ')}): reinstall the dejavu-fonts-ttf package.`);
  fontPaths = paths;
  return paths;
}

export interface ChartRenderOptions {
  /** Pixel density: 2 draws a 640×320 chart as 1280×640 pixels, crisp on high-DPI screens. */
  scale?: number;
  width?: number;
  height?: number;
}

/** The vega-lite spec for a chart: one line (or bar group) per series, gaps where a value is null. */
export function chartSpec(chart: ReplyChart, opts: ChartRenderOptions = {}): vegaLite.TopLevelSpec {
  const order = [...new Set(chart.series.flatMap((s) => s.points.map((p) => p.x)))];
  const values = chart.series.flatMap((s) => s.points.filter((p) => p.y !== null && Number.isFinite(p.y)).map((p) => ({ x: p.x, y: p.y, series: s.name })));
  const many = chart.series.length > 1;
  const x = { field: 'x', type: 'ordinal' as const, sort: order, title: chart.xLabel ?? null, axis: { labelAngle: chart.kind === 'bar' && order.some((o) => o.length > 8) ? -30 : 0 } };
  const y = { field: 'y', type: 'quantitative' as const, title: chart.yLabel ?? null };
  const color = many ? { field: 'series', type: 'nominal' as const, title: null, sort: chart.series.map((s) => s.name), legend: { orient: 'bottom' as const } } : { value: '#4c78a8' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(chart.title ? { title: { text: chart.title, anchor: 'start' as const, fontSize: 15 } } : {}),
    width: opts.width ?? 640,
    height: opts.height ?? 300,
    background: 'white',
    padding: 12,
    data: { values },
    mark: chart.kind === 'bar' ? { type: 'bar' } : { type: 'line', point: true, strokeWidth: 2 },
    encoding: { x, y, color, ...(chart.kind === 'bar' && many ? { xOffset: { field: 'series', sort: chart.series.map((s) => s.name) } } : {}) },
    config: { font: CHART_FONT, view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 12 } },
  } as vegaLite.TopLevelSpec;
}

/** The chart as SVG text, through vega's headless renderer. */
export async function renderChartSvg(chart: ReplyChart, opts: ChartRenderOptions = {}): Promise<string> {
  const compiled = vegaLite.compile(chartSpec(chart, opts)).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The chart as a PNG image (about 75 ms). */
export async function renderChartPng(chart: ReplyChart, opts: ChartRenderOptions = {}): Promise<Buffer> {
  const svg = await renderChartSvg(chart, opts);
  const resvg = new Resvg(svg, {
    font: { fontFiles: chartFontFiles(), loadSystemFonts: false, defaultFontFamily: CHART_FONT },
    fitTo: { mode: 'zoom', value: opts.scale ?? 2 },
    background: 'white',
  });
  return resvg.render().asPng();
}
