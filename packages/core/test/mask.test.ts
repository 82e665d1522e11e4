import { describe, expect, it } from 'vitest';
import { ellipse, featherMask, polygonArea, rasterizeMask, rectangle } from '../src/index.ts';

function sum(values: Float32Array): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

describe('rasterizeMask', () => {
  it('gives exact coverage for a pixel-aligned rectangle', () => {
    const width = 10;
    const height = 8;
    const mask = rasterizeMask(rectangle(2, 3, 4, 2), width, height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inside = x >= 2 && x < 6 && y >= 3 && y < 5;
        expect(mask[y * width + x]).toBe(inside ? 1 : 0);
      }
    }
  });

  it('gives fractional coverage on half-pixel edges', () => {
    const width = 10;
    const mask = rasterizeMask(rectangle(2, 2, 3.5, 4), width, 10);
    expect(mask[3 * width + 4]).toBe(1);
    expect(mask[3 * width + 5]).toBe(0.5);
    expect(mask[3 * width + 6]).toBe(0);
    // A corner covering a quarter pixel.
    const corner = rasterizeMask(rectangle(2.5, 2.5, 3, 3), width, 10);
    expect(corner[2 * width + 2]).toBe(0.25);
    expect(corner[2 * width + 3]).toBe(0.5);
  });

  it('covers the polygon area within 1%', () => {
    const shape = ellipse(300.3, 200.7, 180.2, 95.4, 64);
    const mask = rasterizeMask(shape, 640, 480);
    const area = polygonArea(shape);
    expect(Math.abs(sum(mask) - area) / area).toBeLessThan(0.01);
    expect(mask.reduce((a, b) => Math.min(a, b), 1)).toBe(0);
    expect(mask.reduce((a, b) => Math.max(a, b), 0)).toBe(1);
  });

  it('clips polygons that extend past the canvas', () => {
    const mask = rasterizeMask(rectangle(-5, -5, 10, 10), 20, 20);
    expect(sum(mask)).toBe(25);
  });

  it('is fast enough for 1024x1024 with a 64-gon', () => {
    const shape = ellipse(512, 512, 480, 400, 64);
    const started = performance.now();
    const mask = rasterizeMask(shape, 1024, 1024);
    const elapsed = performance.now() - started;
    expect(mask.length).toBe(1024 * 1024);
    // Generous bound so slow CI machines do not flake; typical runs take a few milliseconds.
    expect(elapsed).toBeLessThan(1000);
  });
});

describe('featherMask', () => {
  const width = 64;
  const height = 64;
  const hard = rasterizeMask(rectangle(20, 20, 24, 24), width, height);

  it('returns an equal copy for radius 0', () => {
    const copy = featherMask(hard, width, height, 0);
    expect(copy).not.toBe(hard);
    expect(Array.from(copy)).toEqual(Array.from(hard));
  });

  it('preserves total mass and softens edges', () => {
    const soft = featherMask(hard, width, height, 6);
    expect(Math.abs(sum(soft) - sum(hard)) / sum(hard)).toBeLessThan(0.005);
    // Just outside the hard edge now has some coverage, just inside has lost some.
    expect(soft[32 * width + 19]!).toBeGreaterThan(0);
    expect(soft[32 * width + 19]!).toBeLessThan(0.5);
    expect(soft[32 * width + 20]!).toBeLessThan(1);
    expect(soft[32 * width + 20]!).toBeGreaterThan(0.5);
    // The centre is farther than the radius from any edge, so it stays fully covered.
    expect(soft[32 * width + 32]).toBe(1);
  });

  it('never spreads further than the radius', () => {
    const soft = featherMask(hard, width, height, 6);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const distance = Math.max(20 - x - 1, x - 44, 20 - y - 1, y - 44);
        if (distance >= 6) expect(soft[y * width + x]).toBe(0);
      }
    }
  });

  it('keeps full coverage at the canvas border', () => {
    const full = rasterizeMask(rectangle(0, 0, width, height), width, height);
    const soft = featherMask(full, width, height, 9);
    expect(soft[0]).toBe(1);
    expect(soft[width * height - 1]).toBe(1);
  });

  it('rejects bad radii and mismatched sizes', () => {
    expect(() => featherMask(hard, width, height, -1)).toThrow();
    expect(() => featherMask(hard, width, height + 1, 2)).toThrow();
  });
});
