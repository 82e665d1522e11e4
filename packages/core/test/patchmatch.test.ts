import { describe, expect, it } from 'vitest';
import {
  BackendError,
  createRaster,
  ellipse,
  featherMask,
  type MaskImage,
  PakatiError,
  type PatchMatchProgress,
  patchMatchInpaint,
  type RasterImage,
  rasterizeMask,
} from '../src/index.ts';

const STRIPE_COLORS = [
  [200, 40, 40],
  [40, 160, 60],
  [30, 60, 200],
  [240, 220, 80],
] as const;
const STRIPE_HEIGHT = 6;

function stripeColor(y: number): readonly number[] {
  return STRIPE_COLORS[Math.floor(y / STRIPE_HEIGHT) % STRIPE_COLORS.length]!;
}

/** Horizontal stripes with a little deterministic grain, so no two patches are trivially identical. */
function stripedImage(width: number, height: number): RasterImage {
  const image = createRaster(width, height);
  let state = 12345;
  for (let y = 0; y < height; y++) {
    const color = stripeColor(y);
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        image.data[i + c] = color[c]! + ((state >>> 16) % 9) - 4;
      }
      image.data[i + 3] = 255;
    }
  }
  return image;
}

function noiseImage(width: number, height: number, seed: number): RasterImage {
  const image = createRaster(width, height);
  let state = seed;
  for (let i = 0; i < image.data.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    image.data[i] = i % 4 === 3 ? 255 : state >>> 24;
  }
  return image;
}

function rectMask(width: number, height: number, x0: number, y0: number, w: number, h: number): MaskImage {
  const data = new Float32Array(width * height);
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) data[y * width + x] = 1;
  return { width, height, data };
}

function expectUnmaskedIdentical(before: RasterImage, after: RasterImage, mask: MaskImage): void {
  let checked = 0;
  for (let p = 0; p < mask.data.length; p++) {
    if (mask.data[p] !== 0) continue;
    for (let c = 0; c < 4; c++) {
      if (after.data[p * 4 + c] !== before.data[p * 4 + c]) {
        throw new Error(`pixel ${p} channel ${c} changed outside the mask`);
      }
    }
    checked++;
  }
  expect(checked).toBeGreaterThan(0);
}

describe('patchMatchInpaint', () => {
  const W = 256;
  const H = 256;
  const image = stripedImage(W, H);
  const hole = { x: 100, y: 103, size: 48 };
  const mask = rectMask(W, H, hole.x, hole.y, hole.size, hole.size);

  it('continues the stripes into a 48×48 hole, far better than a flat fill, in well under 2 s', () => {
    const started = performance.now();
    const out = patchMatchInpaint(image, mask, { seed: 1 });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(2000);

    const mean = [0, 0, 0];
    for (let y = 0; y < H; y++) for (let c = 0; c < 3; c++) mean[c]! += stripeColor(y)[c]! / H;
    let fillError = 0;
    let meanError = 0;
    for (let y = hole.y; y < hole.y + hole.size; y++) {
      const row = [0, 0, 0];
      for (let x = hole.x; x < hole.x + hole.size; x++) {
        for (let c = 0; c < 3; c++) row[c]! += out.data[(y * W + x) * 4 + c]! / hole.size;
      }
      const expected = stripeColor(y);
      for (let c = 0; c < 3; c++) {
        fillError += (row[c]! - expected[c]!) ** 2;
        meanError += (mean[c]! - expected[c]!) ** 2;
      }
    }
    // The mean colour is ~78 levels RMS off per row; the fill must be within a tenth of that.
    expect(Math.sqrt(meanError / (hole.size * 3))).toBeGreaterThan(50);
    expect(fillError).toBeLessThan(meanError * 0.01);
    // Pixel by pixel, too: the hole holds stripe colours, not blends of them.
    let pixelError = 0;
    for (let y = hole.y; y < hole.y + hole.size; y++) {
      for (let x = hole.x; x < hole.x + hole.size; x++) {
        for (let c = 0; c < 3; c++)
          pixelError += Math.abs(out.data[(y * W + x) * 4 + c]! - stripeColor(y)[c]!);
      }
    }
    expect(pixelError / (hole.size * hole.size * 3)).toBeLessThan(8);
  });

  it('leaves every unmasked pixel byte-identical and changes the masked ones', () => {
    const blank = createRaster(W, H);
    blank.data.set(image.data);
    for (let y = hole.y; y < hole.y + hole.size; y++) {
      for (let x = hole.x; x < hole.x + hole.size; x++)
        blank.data.fill(0, (y * W + x) * 4, (y * W + x) * 4 + 4);
    }
    const out = patchMatchInpaint(blank, mask, { seed: 3 });
    expectUnmaskedIdentical(blank, out, mask);
    let changed = 0;
    for (let p = 0; p < mask.data.length; p++)
      if (mask.data[p] === 1 && out.data[p * 4 + 3] === 255) changed++;
    expect(changed).toBe(hole.size * hole.size);
    expect(blank.data[(hole.y * W + hole.x) * 4 + 3]).toBe(0);
  });

  it('is deterministic per seed, and the seed matters', () => {
    const texture = noiseImage(96, 96, 7);
    const noiseMask = rectMask(96, 96, 30, 30, 30, 30);
    const a = patchMatchInpaint(texture, noiseMask, { seed: 11 });
    const b = patchMatchInpaint(texture, noiseMask, { seed: 11 });
    const c = patchMatchInpaint(texture, noiseMask, { seed: 12 });
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    expect(Buffer.from(a.data).equals(Buffer.from(c.data))).toBe(false);
  });

  it('blends partial mask values over the original and keeps mask-0 pixels exact', () => {
    const soft = {
      width: W,
      height: H,
      data: featherMask(rasterizeMask(ellipse(128, 128, 30, 24), W, H), W, H, 6),
    };
    const out = patchMatchInpaint(image, soft, { seed: 5 });
    expectUnmaskedIdentical(image, out, soft);
    // A barely-masked pixel can move at most by its coverage times the full range.
    for (let p = 0; p < soft.data.length; p++) {
      const m = soft.data[p]!;
      if (m === 0 || m === 1) continue;
      for (let c = 0; c < 3; c++) {
        expect(Math.abs(out.data[p * 4 + c]! - image.data[p * 4 + c]!)).toBeLessThanOrEqual(m * 255 + 0.5);
      }
    }
  });

  it('reports real progress per iteration and level, ending at 1', () => {
    const updates: PatchMatchProgress[] = [];
    patchMatchInpaint(image, mask, {
      seed: 1,
      iterations: 3,
      pyramidLevels: 3,
      onProgress: (u) => updates.push(u),
    });
    expect(updates).toHaveLength(9);
    expect(updates.map((u) => u.level)).toEqual([2, 2, 2, 1, 1, 1, 0, 0, 0]);
    for (let i = 1; i < updates.length; i++)
      expect(updates[i]!.fraction).toBeGreaterThan(updates[i - 1]!.fraction);
    expect(updates.at(-1)!.fraction).toBe(1);
  });

  it('cancels with BackendError CANCELLED, before starting or between iterations', () => {
    const before = new AbortController();
    before.abort();
    expect(() => patchMatchInpaint(image, mask, { seed: 1, signal: before.signal })).toThrow(
      expect.objectContaining({ name: 'BackendError', kind: 'CANCELLED' }),
    );

    const during = new AbortController();
    let calls = 0;
    let caught: unknown;
    try {
      patchMatchInpaint(image, mask, {
        seed: 1,
        signal: during.signal,
        onProgress: () => {
          calls++;
          during.abort();
        },
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BackendError);
    expect((caught as BackendError).kind).toBe('CANCELLED');
    expect(calls).toBe(1);
  });

  it('copies from the source image when one is given', () => {
    // A red image whose hole must be filled from a blue/cyan checkerboard of a different size.
    const red = createRaster(80, 80);
    for (let p = 0; p < 80 * 80; p++) red.data.set([220, 30, 30, 255], p * 4);
    const source = createRaster(50, 70);
    for (let y = 0; y < 70; y++) {
      for (let x = 0; x < 50; x++) {
        const color = ((x >> 2) + (y >> 2)) & 1 ? [20, 40, 230, 255] : [20, 210, 220, 255];
        source.data.set(color, (y * 50 + x) * 4);
      }
    }
    const holeMask = rectMask(80, 80, 20, 25, 30, 30);
    const out = patchMatchInpaint(red, holeMask, { seed: 9, source });
    expectUnmaskedIdentical(red, out, holeMask);
    let blueish = 0;
    for (let p = 0; p < holeMask.data.length; p++) {
      if (holeMask.data[p] !== 1) continue;
      const [r, g, b] = [out.data[p * 4]!, out.data[p * 4 + 1]!, out.data[p * 4 + 2]!];
      expect(r).toBeLessThanOrEqual(21);
      expect(b).toBeGreaterThanOrEqual(219);
      if (g < 60) blueish++;
    }
    // Both source colours show up: it copies texture, not just one colour.
    expect(blueish).toBeGreaterThan(100);
    expect(blueish).toBeLessThan(800);
  });

  it('returns an untouched copy for an empty mask and rejects impossible input', () => {
    const empty = { width: W, height: H, data: new Float32Array(W * H) };
    const out = patchMatchInpaint(image, empty, { seed: 1 });
    expect(out.data).not.toBe(image.data);
    expect(Buffer.from(out.data).equals(Buffer.from(image.data))).toBe(true);

    const full = { width: W, height: H, data: new Float32Array(W * H).fill(1) };
    expect(() => patchMatchInpaint(image, full, { seed: 1 })).toThrow(PakatiError);
    expect(() =>
      patchMatchInpaint(image, { width: 10, height: 10, data: new Float32Array(100) }, { seed: 1 }),
    ).toThrow(PakatiError);
    expect(() => patchMatchInpaint(image, mask, { seed: 1, patchSize: 8 })).toThrow(PakatiError);
    expect(() => patchMatchInpaint(image, mask, { seed: -1 })).toThrow(PakatiError);
  });
});
