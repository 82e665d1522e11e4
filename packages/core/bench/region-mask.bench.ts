// `pnpm bench`: the scanline mask rasterizer against the obvious baseline (a point-in-polygon test per
// sample), measured in the same run on the same polygons, printed as a table.
import { ellipse, type Point, pointInPolygon, rasterizeMask, renderProcedural } from '../src/index.ts';

function naiveMask(points: Point[], width: number, height: number, samples: number): Float32Array {
  const mask = new Float32Array(width * height);
  const step = 1 / samples;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let hits = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          if (pointInPolygon({ x: x + (sx + 0.5) * step, y: y + (sy + 0.5) * step }, points)) hits++;
        }
      }
      mask[y * width + x] = hits / (samples * samples);
    }
  }
  return mask;
}

function time(fn: () => unknown, minMs = 300): { msPerOp: number; ops: number } {
  fn(); // warm-up
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    ops++;
  }
  return { msPerOp: (performance.now() - start) / ops, ops };
}

const rows: Record<string, string | number>[] = [];
for (const size of [256, 512]) {
  const polygon = ellipse(size / 2, size / 2, size * 0.4, size * 0.3, 64);
  const baseline = time(() => naiveMask(polygon, size, size, 4));
  const scanline = time(() => rasterizeMask(polygon, size, size, 4));
  rows.push({
    case: `64-gon mask ${size}x${size}, 4x4 samples`,
    'baseline ms (point-in-polygon)': baseline.msPerOp.toFixed(2),
    'ms (scanline)': scanline.msPerOp.toFixed(2),
    speedup: `${(baseline.msPerOp / scanline.msPerOp).toFixed(1)}x`,
  });
}
const render = time(() => {
  const it = renderProcedural({
    width: 512,
    height: 512,
    seed: 1,
    regions: [{ points: ellipse(256, 256, 180, 120), prompt: 'red sunset waves', zOrder: 0, featherPx: 8 }],
  });
  let r = it.next();
  while (!r.done) r = it.next();
});
rows.push({
  case: 'procedural render 512x512, 1 region',
  'baseline ms (point-in-polygon)': '-',
  'ms (scanline)': render.msPerOp.toFixed(2),
  speedup: '-',
});
console.table(rows);
