import { describe, expect, it } from 'vitest';
import {
  analyzeImage,
  DEFAULT_DELTA_WEIGHTS,
  type DeltaReport,
  DISTANCE_NAMES,
  discreteEmd,
  dominantPalette,
  histogramEmd,
  jsKernel,
  overallDelta,
  paletteEmd,
  type RasterImage,
  type RegionStats,
  rawDistances,
  regionDeltas,
  rgbToLab,
  SIGNED_DELTA_NAMES,
} from '../src/index.ts';

type Rgb = [number, number, number];

function image(width: number, height: number, colour: (x: number, y: number) => Rgb): RasterImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([...colour(x, y), 255], (y * width + x) * 4);
  }
  return { width, height, data };
}

const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
const scene = (x: number, y: number): Rgb => [
  clamp(120 + 90 * Math.sin(x / 11) * Math.cos(y / 7) + ((x * 13 + y * 7) % 17)),
  clamp(100 + 60 * Math.cos((x - y) / 9)),
  clamp(80 + 50 * Math.sin(y / 5) + ((x * y) % 9)),
];
const otherScene = (x: number, y: number): Rgb => [
  clamp(40 + 30 * Math.cos(y / 23)),
  clamp(90 + 70 * Math.sin((x + 2 * y) / 4)),
  clamp(200 - 50 * Math.cos(x / 31) + ((x * 5 + y * 11) % 13)),
];

async function canvasStats(img: RasterImage): Promise<RegionStats> {
  return (await analyzeImage(img, [], jsKernel)).canvas;
}

describe('earth mover distances', () => {
  it('measures 1-D histogram EMD in bin units', () => {
    expect(histogramEmd([1, 0, 0], [0, 0, 1], 1)).toBe(2);
    expect(histogramEmd([1, 0, 0, 0], [0, 1, 0, 0], 8)).toBe(8);
    expect(histogramEmd([0.5, 0.5], [0.5, 0.5], 3)).toBe(0);
    // Normalises first: counts and shares give the same answer.
    expect(histogramEmd([2, 2, 0], [0, 1, 1], 1)).toBeCloseTo(1, 12);
    expect(() => histogramEmd([1, 0], [1], 1)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    expect(() => histogramEmd([0, 0], [1, 0], 1)).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT' }),
    );
  });

  it('solves small transport problems exactly', () => {
    // Points on a line: the optimum is the 1-D closed form.
    const p = [0, 1, 5];
    const q = [2, 3];
    const d = (i: number, j: number) => Math.abs(p[i]! - q[j]!);
    expect(discreteEmd([0.2, 0.3, 0.5], [0.6, 0.4], d)).toBeCloseTo(
      0.2 * 2 + 0.3 * 1 + 0.1 * 3 + 0.4 * 2,
      10,
    );
    expect(discreteEmd([1], [1], () => 7)).toBe(7);
    // Crossing assignments are never optimal.
    expect(discreteEmd([0.5, 0.5], [0.5, 0.5], (i, j) => (i === j ? 10 : 1))).toBeCloseTo(1, 12);
  });
});

describe('palette', () => {
  it('finds the colours of an image in their proportions', () => {
    const colours: [Rgb, number][] = [
      [[200, 30, 30], 0.5],
      [[30, 160, 40], 0.3],
      [[20, 20, 200], 0.2],
    ];
    const samples = new Float32Array(100 * 4);
    let n = 0;
    for (const [rgb, share] of colours) {
      const lab = rgbToLab(...rgb);
      for (let i = 0; i < share * 100; i++) samples.set([lab.L, lab.a, lab.b, 1], 4 * n++);
    }
    const palette = dominantPalette(samples, n);
    expect(palette.map((c) => c.rgb)).toEqual(colours.map(([rgb]) => rgb));
    for (const [i, c] of palette.entries()) expect(c.weight).toBeCloseTo(colours[i]![1], 12);
    expect(paletteEmd(palette, palette)).toBe(0);
    expect(dominantPalette(samples, 0)).toEqual([]);
  });
});

describe('region deltas', () => {
  it('reports zero for identical regions', async () => {
    const stats = await canvasStats(image(64, 48, scene));
    const report = regionDeltas(stats, stats);
    for (const name of [...SIGNED_DELTA_NAMES, ...DISTANCE_NAMES])
      expect(Math.abs(report[name]!)).toBeLessThan(1e-6);
    expect(overallDelta(report)).toBeLessThan(1e-6);
  });

  it('points brightness the right way and keeps the distance moderate for a brightened copy', async () => {
    const original = await canvasStats(image(64, 48, scene));
    const brighter = await canvasStats(
      image(64, 48, (x, y) => scene(x, y).map((v) => clamp(v * 1.2 + 10)) as Rgb),
    );
    const towardsBrighter = regionDeltas(original, brighter);
    expect(towardsBrighter.brightness_delta).toBeGreaterThan(0.05);
    expect(regionDeltas(brighter, original).brightness_delta).toBeCloseTo(
      -towardsBrighter.brightness_delta,
      12,
    );
    expect(towardsBrighter.color_distance).toBeGreaterThan(0.05);
    expect(towardsBrighter.color_distance).toBeLessThan(0.6);
    expect(towardsBrighter.structure_distance).toBeLessThan(0.1);
  });

  it('calls unrelated images far apart', async () => {
    const a = await canvasStats(image(64, 48, scene));
    const b = await canvasStats(image(64, 48, otherScene));
    const report = regionDeltas(a, b);
    expect(report.color_distance).toBeGreaterThan(0.5);
    expect(report.palette_distance).toBeGreaterThan(0.5);
    expect(report.structure_distance).toBeGreaterThan(0.5);
    expect(overallDelta(report)).toBeGreaterThan(0.3);
    const raw = rawDistances(a, b);
    expect(raw.ssim).toBeLessThan(0.5);
    expect(raw.colorDeltaE).toBeGreaterThan(10);
  });

  it('compares regions of different sizes by resizing one onto the other', async () => {
    const small = await canvasStats(image(40, 30, (x, y) => scene(x * 2, y * 2)));
    const large = await canvasStats(image(200, 150, (x, y) => scene((x * 2) / 5, (y * 2) / 5)));
    expect(large.structure.width).toBe(128);
    const report = regionDeltas(small, large);
    expect(report.structure_distance).toBeLessThan(0.35);
    expect(report.color_distance).toBeLessThan(0.2);
  });

  it('gives signed deltas against target attributes and no distances', async () => {
    const stats = await canvasStats(image(32, 32, scene));
    const report = regionDeltas(stats, { brightness: 0.9, warmth: 0.2 });
    expect(report.brightness_delta).toBeCloseTo(0.9 - stats.brightness, 12);
    expect(report.warmth_delta).toBeCloseTo(0.2 - stats.warmth, 12);
    expect(report.contrast_delta).toBe(0);
    for (const name of DISTANCE_NAMES) expect(report[name]).toBeNull();
    expect(overallDelta(report)).toBeCloseTo(
      (Math.abs(report.brightness_delta) + Math.abs(report.warmth_delta)) / 5,
      12,
    );
    expect(() => regionDeltas(stats, { brightness: 1.5 })).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT' }),
    );
  });

  it('averages the magnitudes with the given weights', () => {
    const report: DeltaReport = {
      brightness_delta: -0.5,
      contrast_delta: 0,
      saturation_delta: 0,
      warmth_delta: 0,
      sharpness_delta: 0,
      color_distance: 1,
      palette_distance: null,
      structure_distance: 0,
      texture_distance: 0,
      composition_distance: 0,
    };
    const total = Object.entries(DEFAULT_DELTA_WEIGHTS)
      .filter(([name]) => name !== 'palette_distance')
      .reduce((s, [, w]) => s + w, 0);
    expect(overallDelta(report)).toBeCloseTo((0.5 * 1 + 1 * 2) / total, 12);
    const onlyColour = { ...DEFAULT_DELTA_WEIGHTS, brightness_delta: 0 };
    expect(overallDelta(report, onlyColour)).toBeCloseTo(2 / (total - 1), 12);
  });
});
