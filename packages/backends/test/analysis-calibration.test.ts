import { readFileSync } from 'node:fs';
import {
  type DeltaReport,
  DISTANCE_NAMES,
  ellipse,
  type ImageAnalysis,
  overallDelta,
  rasterizeMask,
  regionDeltas,
  SIGNED_DELTA_NAMES,
} from '@pakati/core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzePhoto } from '../src/index.ts';

const PHOTOS = ['astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg'] as const;
const EDITS = {
  brightened: (bytes: Buffer) => sharp(bytes).modulate({ brightness: 1.2 }).png().toBuffer(),
  reencoded: (bytes: Buffer) => sharp(bytes).jpeg({ quality: 40 }).toBuffer(),
  blurred: (bytes: Buffer) => sharp(bytes).blur(2).png().toBuffer(),
} as const;
type Edit = keyof typeof EDITS;

/** A central ellipse covering about half of the frame, as a region. */
const centre = ({ width, height }: { width: number; height: number }) => [
  {
    id: 'centre',
    mask: {
      width,
      height,
      data: rasterizeMask(ellipse(width / 2, height / 2, width / 3, height / 3), width, height),
    },
  },
];

const analyses = new Map<string, ImageAnalysis>();
const key = (photo: string, edit: Edit | 'original') => `${photo}:${edit}`;
const stats = (photo: string, edit: Edit | 'original' = 'original') => analyses.get(key(photo, edit))!;

beforeAll(async () => {
  for (const photo of PHOTOS) {
    const bytes = readFileSync(new URL(`../../../fixtures/photos/${photo}`, import.meta.url));
    analyses.set(key(photo, 'original'), await analyzePhoto(bytes, centre));
    for (const [edit, apply] of Object.entries(EDITS))
      analyses.set(key(photo, edit as Edit), await analyzePhoto(await apply(bytes), centre));
  }
});

const pairs = PHOTOS.flatMap((a, i) => PHOTOS.slice(i + 1).map((b) => [a, b] as const));

describe('delta calibration on the fixture photographs', () => {
  it('reports 0 for a photo against itself, on the canvas and on a region', () => {
    for (const photo of PHOTOS) {
      for (const report of [
        regionDeltas(stats(photo).canvas, stats(photo).canvas),
        regionDeltas(stats(photo).regions[0]!, stats(photo).regions[0]!),
      ]) {
        for (const name of [...SIGNED_DELTA_NAMES, ...DISTANCE_NAMES])
          expect(Math.abs(report[name]!)).toBeLessThan(1e-6);
      }
    }
  });

  it('points at a brightened copy with a positive brightness delta and a small-to-medium colour distance', () => {
    for (const photo of PHOTOS) {
      for (const report of [
        regionDeltas(stats(photo).canvas, stats(photo, 'brightened').canvas),
        regionDeltas(stats(photo).regions[0]!, stats(photo, 'brightened').regions[0]!),
      ]) {
        expect(report.brightness_delta).toBeGreaterThan(0.02);
        expect(report.color_distance).toBeGreaterThan(0.1);
        expect(report.color_distance).toBeLessThan(0.5);
        expect(report.structure_distance).toBeLessThan(0.1);
        expect(report.composition_distance).toBeLessThan(0.3);
      }
      expect(
        regionDeltas(stats(photo, 'brightened').canvas, stats(photo).canvas).brightness_delta,
      ).toBeLessThan(-0.02);
    }
  });

  it('keeps a re-encoded copy close and sees a blurred copy as softer', () => {
    for (const photo of PHOTOS) {
      const reencoded = regionDeltas(stats(photo).canvas, stats(photo, 'reencoded').canvas);
      for (const name of DISTANCE_NAMES) expect(reencoded[name]).toBeLessThan(0.3);
      const blurred = regionDeltas(stats(photo).canvas, stats(photo, 'blurred').canvas);
      expect(blurred.sharpness_delta).toBeLessThan(-0.3);
      expect(blurred.texture_distance).toBeGreaterThan(0.3);
      expect(blurred.color_distance).toBeLessThan(0.1);
      expect(blurred.structure_distance).toBeLessThan(0.1);
    }
  });

  it('calls every pair of different photographs far apart in colour and structure', () => {
    for (const [a, b] of pairs) {
      for (const report of [
        regionDeltas(stats(a).canvas, stats(b).canvas),
        regionDeltas(stats(a).regions[0]!, stats(b).regions[0]!),
      ]) {
        expect(report.color_distance).toBeGreaterThan(0.5);
        expect(report.structure_distance).toBeGreaterThan(0.5);
        expect(report.palette_distance).toBeGreaterThan(0.5);
      }
    }
  });

  it('orders every unrelated pair above every edited copy overall', () => {
    const reports = (edited: boolean): DeltaReport[] =>
      edited
        ? PHOTOS.flatMap((p) =>
            (Object.keys(EDITS) as Edit[]).map((e) => regionDeltas(stats(p).canvas, stats(p, e).canvas)),
          )
        : pairs.map(([a, b]) => regionDeltas(stats(a).canvas, stats(b).canvas));
    const closestUnrelated = Math.min(...reports(false).map((r) => overallDelta(r)));
    const farthestEdit = Math.max(...reports(true).map((r) => overallDelta(r)));
    expect(closestUnrelated).toBeGreaterThan(farthestEdit);
    // Texture and composition separate less sharply than colour and structure: on average, not pair by pair.
    const mean = (name: 'texture_distance' | 'composition_distance') =>
      reports(false).reduce((s, r) => s + r[name]!, 0) / pairs.length;
    expect(mean('texture_distance')).toBeGreaterThan(0.5);
    expect(mean('composition_distance')).toBeGreaterThan(0.5);
  });
});
