// `pnpm bench` (packages/backends): the sharp compositor against a naive per-pixel JavaScript compositor on the
// same 16 regions of a 2048x2048 canvas, the selector's cost per decision, and RSS over 1,000 composes.
// Baselines are measured in the same run; targets from the issue are checked and printed, not asserted.
import {
  type BackendStatus,
  createRandom,
  createRaster,
  ellipse,
  type Point,
  pointInPolygon,
  type RasterImage,
  rectangle,
  selectBackends,
} from '@pakati/core';
import { type CompositeLayer, compositeRegions, pixelBox } from '../src/index.ts';

function solid(width: number, height: number, rgb: [number, number, number]): RasterImage {
  const image = createRaster(width, height);
  for (let i = 0; i < width * height; i++) image.data.set([...rgb, 255], i * 4);
  return image;
}

function layersFor(size: number, count: number, seed: number): CompositeLayer[] {
  const random = createRandom(seed);
  const layers: CompositeLayer[] = [];
  for (let i = 0; i < count; i++) {
    const w = size * (0.15 + random.next() * 0.25);
    const h = size * (0.15 + random.next() * 0.25);
    const x = random.next() * (size - w);
    const y = random.next() * (size - h);
    const points: Point[] = i % 2 ? ellipse(x + w / 2, y + h / 2, w / 2, h / 2, 48) : rectangle(x, y, w, h);
    const box = pixelBox(points, { width: size, height: size });
    layers.push({
      image: solid(box.width, box.height, [random.int(0, 255), random.int(0, 255), random.int(0, 255)]),
      box,
      points,
      featherPx: 12,
    });
  }
  return layers;
}

/**
 * The naive implementation, as the original Pakati did it: a full-canvas mask per region (point-in-polygon for
 * every canvas pixel), a box blur over the whole canvas for the feather, and a per-pixel blend over the canvas.
 * `bboxOnly` restricts all three to the region's box plus margin: a hand-optimised JS version, also measured.
 */
function jsCompose(base: RasterImage, layers: CompositeLayer[], bboxOnly: boolean): RasterImage {
  const out = new Uint8ClampedArray(base.data);
  for (const layer of layers) {
    const { box, featherPx } = layer;
    const margin = Math.ceil(featherPx * 1.5) + 2;
    const x0 = bboxOnly ? box.x - margin : 0;
    const y0 = bboxOnly ? box.y - margin : 0;
    const w = bboxOnly ? box.width + 2 * margin : base.width;
    const h = bboxOnly ? box.height + 2 * margin : base.height;
    let mask = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        mask[y * w + x] = pointInPolygon({ x: x0 + x + 0.5, y: y0 + y + 0.5 }, layer.points) ? 1 : 0;
      }
    }
    const r = Math.max(1, Math.round(featherPx / 2));
    for (const horizontal of [true, false]) {
      const next = new Float32Array(w * h);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let sum = 0;
          let n = 0;
          for (let k = -r; k <= r; k++) {
            const xx = horizontal ? x + k : x;
            const yy = horizontal ? y : y + k;
            if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
            sum += mask[yy * w + xx]!;
            n++;
          }
          next[y * w + x] = sum / n;
        }
      }
      mask = next;
    }
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const cx = x0 + x;
        const cy = y0 + y;
        const a = Math.max(0, 2 * mask[y * w + x]! - 1);
        if (a === 0 || cx < box.x || cy < box.y || cx >= box.x + box.width || cy >= box.y + box.height)
          continue;
        const o = (cy * base.width + cx) * 4;
        const s = ((cy - box.y) * box.width + (cx - box.x)) * 4;
        for (let c = 0; c < 3; c++) out[o + c] = out[o + c]! * (1 - a) + layer.image.data[s + c]! * a;
      }
    }
  }
  return { width: base.width, height: base.height, data: out };
}

async function time<T>(fn: () => Promise<T> | T, runs: number): Promise<number> {
  await fn();
  const started = performance.now();
  for (let i = 0; i < runs; i++) await fn();
  return (performance.now() - started) / runs;
}

const rows: Record<string, string>[] = [];
const size = 2048;
const base = solid(size, size, [30, 30, 30]);
const layers = layersFor(size, 16, 7);
const naiveMs = await time(() => jsCompose(base, layers, false), 1);
const bboxMs = await time(() => jsCompose(base, layers, true), 1);
const sharpMs = await time(() => compositeRegions(base, layers), 5);
rows.push({
  case: '16 feathered regions on 2048x2048: masks + feather + compose',
  baseline: `${naiveMs.toFixed(0)} ms (naive JS, full-canvas masks)`,
  pakati: `${sharpMs.toFixed(0)} ms (scanline masks + libvips)`,
  ratio: `${(naiveMs / sharpMs).toFixed(1)}x faster`,
  target: `>= 10x and <= 300 ms: ${naiveMs / sharpMs >= 10 && sharpMs <= 300 ? 'met' : 'NOT met'}`,
});
rows.push({
  case: 'the same, against a box-limited hand-written JS compositor',
  baseline: `${bboxMs.toFixed(0)} ms (JS, region boxes only)`,
  pakati: `${sharpMs.toFixed(0)} ms`,
  ratio: `${(bboxMs / sharpMs).toFixed(1)}x faster`,
  target: '-',
});

const statuses: BackendStatus[] = [
  'procedural',
  'patchmatch',
  'automatic1111',
  'comfyui',
  'openai',
  'stability',
  'replicate',
  'tfjs-model',
].map((name, i) => ({
  name,
  capabilities: {
    maxWidth: 2048,
    maxHeight: 2048,
    sizeMultiple: 8,
    txt2img: i !== 1,
    img2img: i % 2 === 0,
    inpainting: i < 5,
    regionalPrompting: false,
    negativePrompt: i !== 4,
    deterministicSeeds: i !== 4,
    costPerImage: i > 3 ? 0.04 : 0,
    rateLimitPerMinute: null,
  },
  circuit: i === 6 ? 'open' : 'closed',
  rateHeadroom: Number.POSITIVE_INFINITY,
  performance: { successes: 10 + i, failures: i % 3, p50LatencyMs: 500 * (i + 1) },
}));
const decisions = 20_000;
const selectorMs = await time(() => {
  for (let i = 0; i < decisions; i++)
    selectBackends({ operation: 'generate', width: 512, height: 512 }, statuses);
}, 3);
const perDecision = selectorMs / decisions;
const baselineLoop = await time(() => {
  let n = 0;
  for (let i = 0; i < decisions; i++) n += statuses.filter((s) => s.capabilities.txt2img).length;
  return n;
}, 3);
rows.push({
  case: 'selector: one decision over 8 backends',
  baseline: `${((baselineLoop / decisions) * 1000).toFixed(2)} µs (capability filter alone)`,
  pakati: `${(perDecision * 1000).toFixed(2)} µs`,
  ratio: `${(perDecision / (baselineLoop / decisions)).toFixed(1)}x the filter`,
  target: `<= 0.1 ms: ${perDecision <= 0.1 ? 'met' : 'NOT met'}`,
});

const smallBase = solid(256, 256, [0, 0, 0]);
const smallLayers = layersFor(256, 4, 11);
for (let i = 0; i < 50; i++) await compositeRegions(smallBase, smallLayers); // warm up allocators and caches
globalThis.gc?.();
const before = process.memoryUsage().rss;
for (let i = 0; i < 1000; i++) await compositeRegions(smallBase, smallLayers);
globalThis.gc?.();
const after = process.memoryUsage().rss;
const growth = (after - before) / 1024 / 1024;
rows.push({
  case: 'RSS over 1,000 composes (256x256, 4 regions)',
  baseline: `${(before / 1024 / 1024).toFixed(0)} MiB before`,
  pakati: `${(after / 1024 / 1024).toFixed(0)} MiB after`,
  ratio: `${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB`,
  target: `flat (< 32 MiB growth): ${growth < 32 ? 'met' : 'NOT met'}`,
});
console.table(rows);
