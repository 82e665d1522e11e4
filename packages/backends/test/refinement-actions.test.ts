import { readFileSync } from 'node:fs';
import { BackendError, type MaskImage, type Point, type RasterImage, rasterizeMask } from '@pakati/core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPhoto } from '../src/analysis/analyze-photo.ts';
import { labStatsOf, reinhardTransfer } from '../src/refinement/color-transfer.ts';
import { applyRegionAction, type RegionAction } from '../src/refinement/region-actions.ts';

const W = 160;
const H = 120;

async function fixture(name: string): Promise<RasterImage> {
  const bytes = readFileSync(new URL(`../../../fixtures/photos/${name}`, import.meta.url));
  const small = await sharp(bytes).resize(W, H, { fit: 'fill' }).png().toBuffer();
  return loadPhoto(small);
}

/** A pentagon well inside the canvas, with fractional vertices. */
const points: Point[] = [
  { x: 40.5, y: 20.25 },
  { x: 120, y: 30 },
  { x: 130.7, y: 90 },
  { x: 80, y: 105.5 },
  { x: 30, y: 80 },
];
const region = { points, featherPx: 4 };
const coverage: MaskImage = { width: W, height: H, data: rasterizeMask(points, W, H) };
/** Fully inside the polygon: where the feathered mask is opaque enough to judge the operation. */
const interior: MaskImage = {
  width: W,
  height: H,
  data: coverage.data.map((v) => (v === 1 ? 1 : 0)),
};

let coffee: RasterImage;
let chelsea: RasterImage;

beforeAll(async () => {
  [coffee, chelsea] = await Promise.all([fixture('coffee.png'), fixture('chelsea.png')]);
});

function expectOutsideUntouched(before: RasterImage, after: RasterImage): void {
  let outside = 0;
  for (let i = 0; i < W * H; i++) {
    if (coverage.data[i]! > 0) continue;
    outside++;
    for (let c = 0; c < 4; c++) {
      if (after.data[i * 4 + c] !== before.data[i * 4 + c]) {
        throw new Error(`pixel ${i % W},${Math.floor(i / W)} outside the polygon changed`);
      }
    }
  }
  expect(outside).toBeGreaterThan(W * H * 0.3);
}

function changedInside(before: RasterImage, after: RasterImage): number {
  let changed = 0;
  for (let i = 0; i < W * H; i++) {
    if (interior.data[i] !== 1) continue;
    for (let c = 0; c < 3; c++) if (after.data[i * 4 + c] !== before.data[i * 4 + c]) changed++;
  }
  return changed;
}

function abDistance(image: RasterImage, target: { mean: number[] }): number {
  const { mean } = labStatsOf(image, interior);
  return Math.hypot(mean[1] - target.mean[1]!, mean[2] - target.mean[2]!);
}

/** Variance of the 4-neighbour Laplacian of Rec. 601 luma over the polygon's interior (away from its edge). */
function laplacianVariance(image: RasterImage): number {
  const luma = (x: number, y: number) => {
    const p = (y * W + x) * 4;
    return 0.299 * image.data[p]! + 0.587 * image.data[p + 1]! + 0.114 * image.data[p + 2]!;
  };
  const values: number[] = [];
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      if (interior.data[y * W + x] !== 1) continue;
      values.push(luma(x - 1, y) + luma(x + 1, y) + luma(x, y - 1) + luma(x, y + 1) - 4 * luma(x, y));
    }
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
}

async function rejectsInvalid(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackendError);
  expect((error as BackendError).kind).toBe('INVALID_REQUEST');
  expect((error as BackendError).backend).toBe('refinement');
}

describe('applyRegionAction: adjust', () => {
  it('brightens the region and leaves every pixel outside the polygon byte-identical', async () => {
    const snapshot = new Uint8ClampedArray(coffee.data);
    const out = await applyRegionAction(coffee, region, { kind: 'adjust', brightness: 1.4 });
    expect(out).not.toBe(coffee);
    expect(out.width).toBe(W);
    expect(out.height).toBe(H);
    expect(coffee.data).toEqual(snapshot); // input untouched
    const before = labStatsOf(coffee, interior).mean[0];
    const after = labStatsOf(out, interior).mean[0];
    expect(after).toBeGreaterThan(before + 5);
    expectOutsideUntouched(coffee, out);
  });

  it('darkens with brightness < 1 and is the identity for identity options', async () => {
    const darker = await applyRegionAction(coffee, region, { kind: 'adjust', brightness: 0.6 });
    expect(labStatsOf(darker, interior).mean[0]).toBeLessThan(labStatsOf(coffee, interior).mean[0] - 5);
    expectOutsideUntouched(coffee, darker);
    const same = await applyRegionAction(coffee, region, { kind: 'adjust' });
    expect(same.data).toEqual(coffee.data);
  });
});

describe('applyRegionAction: color-transfer', () => {
  it('moves the region mean a*/b* toward the target, proportionally to strength', async () => {
    const target = labStatsOf(chelsea);
    const d0 = abDistance(coffee, target);
    expect(d0).toBeGreaterThan(3); // the photos differ enough for the test to mean something

    const full = await applyRegionAction(coffee, region, { kind: 'color-transfer', target, strength: 1 });
    const half = await applyRegionAction(coffee, region, { kind: 'color-transfer', target, strength: 0.5 });
    const d1 = abDistance(full, target);
    const dHalf = abDistance(half, target);
    expect(d1).toBeLessThan(d0 * 0.5);
    expect(dHalf).toBeLessThan(d0);
    expect(dHalf).toBeGreaterThan(d1);
    // Half the strength closes roughly half of what the full transfer closes.
    const ratio = (d0 - dHalf) / (d0 - d1);
    expect(ratio).toBeGreaterThan(0.3);
    expect(ratio).toBeLessThan(0.7);

    expectOutsideUntouched(coffee, full);
    expectOutsideUntouched(coffee, half);
  });

  it('leaves the image identical at strength 0', async () => {
    const target = labStatsOf(chelsea);
    const out = await applyRegionAction(coffee, region, { kind: 'color-transfer', target, strength: 0 });
    expect(out).not.toBe(coffee);
    expect(out.data).toEqual(coffee.data);
  });
});

describe('reinhardTransfer', () => {
  it('matches the target statistics inside a hard mask at strength 1 and keeps mask-0 pixels', () => {
    const target = labStatsOf(chelsea);
    const out = reinhardTransfer(coffee, interior, target, 1);
    const stats = labStatsOf(out, interior);
    for (let c = 0; c < 3; c++) {
      // Gamut clipping and 8-bit rounding keep it from matching exactly.
      expect(Math.abs(stats.mean[c]! - target.mean[c]!)).toBeLessThan(3);
      expect(Math.abs(stats.std[c]! - target.std[c]!)).toBeLessThan(0.25 * target.std[c]! + 1);
    }
    for (let i = 0; i < W * H; i++) {
      if (interior.data[i] === 1) continue;
      expect(out.data.subarray(i * 4, i * 4 + 4)).toEqual(coffee.data.subarray(i * 4, i * 4 + 4));
    }
  });

  it('refuses bad strength, mask and target', () => {
    const target = labStatsOf(chelsea);
    const bad: Array<() => unknown> = [
      () => reinhardTransfer(coffee, interior, target, 1.5),
      () => reinhardTransfer(coffee, interior, target, Number.NaN),
      () => reinhardTransfer(coffee, { width: 2, height: 2, data: new Float32Array(4) }, target, 1),
      () => reinhardTransfer(coffee, interior, { mean: [50, 0, 0], std: [1, -1, 1] }, 1),
      () => reinhardTransfer(coffee, interior, { mean: [50, Number.NaN, 0], std: [1, 1, 1] }, 1),
      () => labStatsOf(coffee, { width: W, height: H, data: new Float32Array(W * H) }),
    ];
    for (const fn of bad) {
      let error: unknown;
      try {
        fn();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BackendError);
      expect((error as BackendError).kind).toBe('INVALID_REQUEST');
    }
  });
});

describe('applyRegionAction: sharpen', () => {
  it('increases the Laplacian variance of the region, more with a larger amount', async () => {
    const base = laplacianVariance(coffee);
    const half = await applyRegionAction(coffee, region, { kind: 'sharpen', amount: 0.5 });
    const full = await applyRegionAction(coffee, region, { kind: 'sharpen', amount: 1 });
    expect(laplacianVariance(half)).toBeGreaterThan(base * 1.1);
    expect(laplacianVariance(full)).toBeGreaterThan(laplacianVariance(half));
    expect(changedInside(coffee, full)).toBeGreaterThan(0);
    expectOutsideUntouched(coffee, full);
    const none = await applyRegionAction(coffee, region, { kind: 'sharpen', amount: 0 });
    expect(none.data).toEqual(coffee.data);
  });
});

describe('applyRegionAction: validation', () => {
  it('refuses invalid actions, regions and images', async () => {
    const target = {
      mean: [50, 0, 0] as [number, number, number],
      std: [10, 5, 5] as [number, number, number],
    };
    const badActions = [
      { kind: 'sharpen', amount: 1.5 },
      { kind: 'sharpen', amount: -0.1 },
      { kind: 'sharpen', amount: Number.NaN },
      { kind: 'color-transfer', target, strength: 2 },
      { kind: 'color-transfer', target: { mean: [50, 0], std: [1, 1, 1] }, strength: 1 },
      { kind: 'adjust', brightness: -1 },
      { kind: 'adjust', contrast: Number.POSITIVE_INFINITY },
      { kind: 'adjust', hue: Number.NaN },
      { kind: 'blur' },
    ] as unknown as RegionAction[];
    for (const action of badActions) await rejectsInvalid(applyRegionAction(coffee, region, action));

    const ok: RegionAction = { kind: 'adjust', brightness: 1.2 };
    await rejectsInvalid(applyRegionAction(coffee, { points: points.slice(0, 2), featherPx: 2 }, ok));
    await rejectsInvalid(applyRegionAction(coffee, { points, featherPx: -1 }, ok));
    await rejectsInvalid(
      applyRegionAction(coffee, { points: [...points.slice(1), { x: Number.NaN, y: 3 }], featherPx: 0 }, ok),
    );
    await rejectsInvalid(
      applyRegionAction({ width: 4, height: 4, data: new Uint8ClampedArray(10) }, region, ok),
    );
  });

  it('returns an unchanged copy for a polygon off the canvas', async () => {
    const off = [
      { x: 200, y: 10 },
      { x: 240, y: 10 },
      { x: 220, y: 50 },
    ];
    const out = await applyRegionAction(
      coffee,
      { points: off, featherPx: 2 },
      { kind: 'adjust', brightness: 2 },
    );
    expect(out).not.toBe(coffee);
    expect(out.data).toEqual(coffee.data);
  });
});
