import { createRaster, ellipse, pointInPolygon, type RasterImage, rectangle } from '@pakati/core';
import { describe, expect, it } from 'vitest';
import { compositeRegions, generationSize, pixelBox, regionMask } from '../src/index.ts';

function solid(width: number, height: number, rgb: [number, number, number]): RasterImage {
  const image = createRaster(width, height);
  for (let i = 0; i < width * height; i++) image.data.set([...rgb, 255], i * 4);
  return image;
}

const distanceToPolygonEdge = (x: number, y: number, points: { x: number; y: number }[]) => {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < points.length; i++) {
    const a = points[i]!;
    const b = points[(i + 1) % points.length]!;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const t = Math.max(0, Math.min(1, ((x - a.x) * dx + (y - a.y) * dy) / (dx * dx + dy * dy)));
    best = Math.min(best, Math.hypot(x - (a.x + t * dx), y - (a.y + t * dy)));
  }
  return best;
};

describe('region compositor', () => {
  it('clips the pixel box to the canvas and fits generation sizes to backend limits', () => {
    expect(pixelBox(rectangle(10.5, 20.2, 30, 40), { width: 100, height: 50 })).toEqual({
      x: 10,
      y: 20,
      width: 31,
      height: 30,
    });
    expect(
      generationSize(
        { x: 0, y: 0, width: 3000, height: 1500 },
        { maxWidth: 2048, maxHeight: 2048, sizeMultiple: 8 },
      ),
    ).toEqual({
      width: 2048,
      height: 1024,
    });
    expect(
      generationSize(
        { x: 0, y: 0, width: 100, height: 61 },
        { maxWidth: 2048, maxHeight: 2048, sizeMultiple: 8 },
      ),
    ).toEqual({
      width: 104,
      height: 64,
    });
  });

  it('feathers inward: full inside, zero outside the polygon, a ramp along the inner edge', async () => {
    const points = rectangle(10, 10, 60, 40);
    const box = pixelBox(points, { width: 100, height: 100 });
    const mask = await regionMask(points, box, 8);
    const at = (x: number, y: number) => mask[(y - box.y) * box.width + (x - box.x)]!;
    expect(at(40, 30)).toBe(255);
    expect(at(10, 30)).toBeLessThan(40);
    expect(at(13, 30)).toBeGreaterThan(at(10, 30));
    expect(at(13, 30)).toBeLessThan(255);
  });

  it('keeps each region inside its mask: every pixel outside all polygons is the untouched base', async () => {
    const canvas = { width: 160, height: 120 };
    const base = solid(canvas.width, canvas.height, [20, 30, 40]);
    const shapes = [rectangle(10, 10, 80, 60), ellipse(90, 60, 45, 35), rectangle(60, 40, 70, 70)];
    const colours: [number, number, number][] = [
      [250, 0, 0],
      [0, 250, 0],
      [0, 0, 250],
    ];
    const layers = shapes.map((points, i) => {
      const box = pixelBox(points, canvas);
      return { image: solid(box.width, box.height, colours[i]!), box, points, featherPx: 6 };
    });
    const out = await compositeRegions(base, layers);
    let outside = 0;
    let changedOutside = 0;
    let deepInsideTop = 0;
    let deepInsideTopCorrect = 0;
    for (let y = 0; y < canvas.height; y++) {
      for (let x = 0; x < canvas.width; x++) {
        const p = { x: x + 0.5, y: y + 0.5 };
        const i = (y * canvas.width + x) * 4;
        const inside = shapes.map((s) => pointInPolygon(p, s));
        if (!inside.some(Boolean)) {
          outside++;
          if (out.data[i] !== 20 || out.data[i + 1] !== 30 || out.data[i + 2] !== 40) changedOutside++;
        }
        // Far inside the top region (drawn last), its colour wins.
        if (inside[2] && distanceToPolygonEdge(p.x, p.y, shapes[2]!) > 8) {
          deepInsideTop++;
          if (out.data[i + 2]! > 240 && out.data[i]! < 10 && out.data[i + 1]! < 10) deepInsideTopCorrect++;
        }
      }
    }
    expect(outside).toBeGreaterThan(1000);
    expect(changedOutside).toBe(0);
    expect(deepInsideTop).toBeGreaterThan(500);
    expect(deepInsideTopCorrect).toBe(deepInsideTop);
  });
});
