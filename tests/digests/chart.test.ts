import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReplyChart } from '../../src/core/reply.ts';
import { chartFontFiles, renderChartPng, renderChartSvg } from '../../src/digests/chart.ts';
import { darkPixels, decodePng } from './helpers/png.ts';

const dir = mkdtempSync(join(tmpdir(), 'pulse-chart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const weeks = ['08-31', '09-07', '09-14', '09-21', '09-28', '10-05', '10-12', '10-19', '10-26', '11-02', '11-09', '11-16'];
const trend = (title: string): ReplyChart => ({
  kind: 'line',
  title,
  xLabel: 'week starting',
  yLabel: 'score',
  series: [
    { name: 'CSAT %', points: weeks.map((x, i) => ({ x, y: 60 + (i % 4) * 3 })) },
    { name: 'NPS', points: weeks.map((x, i) => ({ x, y: i === 3 ? null : -10 + i })) },
  ],
});
// The title sits in the top band (12 px padding, 15 px bold type, drawn at 2×): nothing else does.
const TITLE_BAND = { x0: 0, y0: 0, x1: 1400, y1: 64 };

describe('renderChartPng', () => {
  it('GIVEN the DejaVu font files THEN they exist where the package puts them', () => {
    const files = chartFontFiles();
    expect(files.map((f) => f.split('/').pop())).toEqual(['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf']);
    for (const f of files) expect(existsSync(f)).toBe(true);
  });

  it('GIVEN a trend chart THEN the PNG has rendered text: a longer title darkens more of the title band, and the same SVG without fonts has none', async () => {
    const short = decodePng(await renderChartPng(trend('I')));
    const long = decodePng(await renderChartPng(trend('CSAT % and NPS by week (last 12 weeks)')));
    expect(long.width).toBe(short.width);
    expect(long.height).toBe(short.height);
    const shortInk = darkPixels(short, TITLE_BAND);
    const longInk = darkPixels(long, TITLE_BAND);
    expect(shortInk).toBeGreaterThan(20); // the one letter "I"
    expect(longInk).toBeGreaterThan(shortInk * 10);
    // What resvg does without fonts — silently draws no text: the band stays white.
    const svg = await renderChartSvg(trend('CSAT % and NPS by week (last 12 weeks)'));
    const bare = new Resvg(svg, { font: { loadSystemFonts: false }, fitTo: { mode: 'zoom', value: 2 }, background: 'white' }).render().asPng();
    expect(darkPixels(decodePng(bare), TITLE_BAND)).toBe(0);
  });

  it('GIVEN axis labels THEN the x-axis label row carries ink (week labels drawn)', async () => {
    const png = decodePng(await renderChartPng(trend('Trend')));
    const withLabels = darkPixels(png, { x0: 0, y0: png.height - 140, x1: png.width, y1: png.height - 60 });
    const noLabels = decodePng(await renderChartPng({ ...trend('Trend'), xLabel: undefined, series: trend('Trend').series.map((s) => ({ ...s, points: s.points.map((p) => ({ ...p, x: '·' })) })) }));
    expect(withLabels).toBeGreaterThan(500);
    expect(withLabels).not.toBe(darkPixels(noLabels, { x0: 0, y0: png.height - 140, x1: png.width, y1: png.height - 60 }));
  });

  it('GIVEN a chart THEN the PNG can be saved and read back for a person to look at', async () => {
    const file = join(dir, 'trend.png');
    writeFileSync(file, await renderChartPng(trend('CSAT % and NPS by week (last 12 weeks)')));
    const img = decodePng(readFileSync(file));
    expect(img.width).toBeGreaterThan(1000);
    expect(img.height).toBeGreaterThan(500);
  });

  it('GIVEN a bar chart THEN it renders too', async () => {
    const png = await renderChartPng({ kind: 'bar', title: 'Value at risk by owner', yLabel: 'value at risk', series: [{ name: 'v', points: [{ x: 'Maya Chen', y: 1200 }, { x: 'Tom Becker', y: 800 }] }] });
    expect(darkPixels(decodePng(png), TITLE_BAND)).toBeGreaterThan(500);
  });
});
