import { readFileSync } from 'node:fs';
import {
  analyzeImage,
  createPatchMatchBackend,
  createProceduralBackend,
  type GenerateParams,
  type ImageBackend,
  type MaskImage,
  type PlannedStep,
  type Point,
  type ProgressUpdate,
  type RasterImage,
  type RegionStats,
  rasterizeMask,
} from '@pakati/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyPlannedSteps,
  applyRegionAction,
  blendLabStats,
  generateRegion,
  type LabStats,
  labStatsOf,
  loadPhoto,
  mergeRegionPatches,
  type PlannedStepContext,
  pixelBox,
  type RegionAction,
  regionMask,
  resizeRaster,
  sharpKernel,
  WARMTH_SHIFT,
} from '../src/index.ts';
import { backendFailure, solid } from './helpers/rasters.ts';

const W = 160;
const H = 120;

async function fixture(name: string, width = W, height = H): Promise<RasterImage> {
  const photo = await loadPhoto(readFileSync(new URL(`../../../fixtures/photos/${name}`, import.meta.url)));
  return resizeRaster(photo, width, height);
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
const box = pixelBox(points, { width: W, height: H });
const coverage: MaskImage = { width: W, height: H, data: rasterizeMask(points, W, H) };
/** Fully inside the polygon (away from the feathered edge): where an operation shows undiluted. */
const interior: MaskImage = { width: W, height: H, data: coverage.data.map((v) => (v === 1 ? 1 : 0)) };
const interiorCount = interior.data.reduce((a, b) => a + b, 0);

/** The warm axis of the analysis (hue 55°, orange) in the a*b* plane. */
const WARM_AXIS = [Math.cos((55 * Math.PI) / 180), Math.sin((55 * Math.PI) / 180)] as const;

let coffee: RasterImage;
let chelsea: RasterImage;
/** Mid-lightness and moderately warm: room both ways on the measured warmth (a tanh) and inside the gamut. */
let astronaut: RasterImage;
/** Where the region's feathered mask is fully opaque: generated pixels land there unblended. */
let opaque: Uint8Array;
/** A smaller reference, as the refinement keeps them, for PatchMatch to copy from. */
let chelseaRef: RasterImage;

beforeAll(async () => {
  [coffee, chelsea, chelseaRef, astronaut] = await Promise.all([
    fixture('coffee.png'),
    fixture('chelsea.png'),
    fixture('chelsea.png', 96, 64),
    fixture('astronaut.png'),
  ]);
  const mask = await regionMask(points, box, region.featherPx);
  opaque = new Uint8Array(W * H);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      if (mask[y * box.width + x] === 255) opaque[(box.y + y) * W + box.x + x] = 1;
    }
  }
});

/** Every pixel with zero polygon coverage keeps its exact RGBA bytes; returns how many there were. */
function expectOutsideUntouched(before: RasterImage, after: RasterImage): number {
  expect(after.width).toBe(before.width);
  expect(after.height).toBe(before.height);
  let outside = 0;
  for (let i = 0; i < W * H; i++) {
    if (coverage.data[i]! > 0) continue;
    outside++;
    for (let c = 0; c < 4; c++) {
      if (after.data[i * 4 + c] !== before.data[i * 4 + c]) {
        throw new Error(`pixel ${i % W},${Math.floor(i / W)} outside the polygon changed (channel ${c})`);
      }
    }
  }
  expect(outside).toBeGreaterThan(W * H * 0.3);
  return outside;
}

/** Share of interior pixels whose RGB changed. */
function changedInside(before: RasterImage, after: RasterImage): number {
  let changed = 0;
  for (let i = 0; i < W * H; i++) {
    if (interior.data[i] !== 1) continue;
    const p = i * 4;
    if (
      after.data[p] !== before.data[p] ||
      after.data[p + 1] !== before.data[p + 1] ||
      after.data[p + 2] !== before.data[p + 2]
    ) {
      changed++;
    }
  }
  return changed / interiorCount;
}

/** Mean absolute RGB difference over the interior. */
function meanChangeInside(before: RasterImage, after: RasterImage): number {
  let sum = 0;
  for (let i = 0; i < W * H; i++) {
    if (interior.data[i] !== 1) continue;
    for (let c = 0; c < 3; c++) sum += Math.abs(after.data[i * 4 + c]! - before.data[i * 4 + c]!);
  }
  return sum / (3 * interiorCount);
}

/** The analyzer's statistics of the polygon (its anti-aliased coverage), with the shipped sharp kernel. */
async function regionStats(image: RasterImage): Promise<RegionStats> {
  const analysis = await analyzeImage(image, [{ id: 'region', mask: coverage }], sharpKernel);
  return analysis.regions[0]!;
}

/** Variance of the 4-neighbour Laplacian of Rec. 601 luma over the interior, measured directly. */
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

function labDistance(a: LabStats, b: LabStats): number {
  return Math.hypot(a.mean[0] - b.mean[0], a.mean[1] - b.mean[1], a.mean[2] - b.mean[2]);
}

function copyOf(image: RasterImage): RasterImage {
  return { width: image.width, height: image.height, data: new Uint8ClampedArray(image.data) };
}

const procedural = createProceduralBackend();
const patchmatch = createPatchMatchBackend();
const PROMPT = { points, featherPx: 4, prompt: 'a red apple on a blue cloth', negativePrompt: null };

/** The generative context the refinement wires: procedural for regenerate, PatchMatch from chelsea for inpaint. */
function generative(calls?: PlannedStep[]): NonNullable<PlannedStepContext['generative']> {
  return async (image, step) => {
    calls?.push(step);
    const backend = step.kind === 'regenerate' ? procedural : patchmatch;
    const { image: out } = await generateRegion(backend, image, PROMPT, {
      kind: step.kind,
      strength: step.strength,
      seed: 42,
      reference: chelseaRef,
      signal: new AbortController().signal,
    });
    return out;
  };
}

describe('applyRegionAction: warmth', () => {
  it('+1 raises the measured warmth and shifts the mean along the warm axis; −1 lowers it', async () => {
    const warmer = await applyRegionAction(astronaut, region, { kind: 'warmth', amount: 1 });
    const cooler = await applyRegionAction(astronaut, region, { kind: 'warmth', amount: -1 });
    expectOutsideUntouched(astronaut, warmer);
    expectOutsideUntouched(astronaut, cooler);

    const [before, up, down] = await Promise.all([astronaut, warmer, cooler].map(regionStats));
    expect(up!.warmth).toBeGreaterThan(before!.warmth + 0.08); // a tanh: already warm, less room up
    expect(down!.warmth).toBeLessThan(before!.warmth - 0.1);

    // Undiluted inside the feather: the mean moves by about WARMTH_SHIFT ΔE*ab along the warm axis only.
    const base = labStatsOf(astronaut, interior);
    for (const [image, sign] of [
      [warmer, 1],
      [cooler, -1],
    ] as const) {
      const moved = labStatsOf(image, interior);
      const da = moved.mean[1] - base.mean[1];
      const db = moved.mean[2] - base.mean[2];
      const along = da * WARM_AXIS[0] + db * WARM_AXIS[1];
      const across = -da * WARM_AXIS[1] + db * WARM_AXIS[0];
      expect(sign * along).toBeGreaterThan(0.75 * WARMTH_SHIFT); // gamut clipping may take a little
      expect(sign * along).toBeLessThan(1.05 * WARMTH_SHIFT);
      expect(Math.abs(across)).toBeLessThan(3);
      expect(Math.abs(moved.mean[0] - base.mean[0])).toBeLessThan(3); // lightness stays
    }
  });

  it('scales with the amount and is the identity at 0', async () => {
    const base = labStatsOf(astronaut, interior);
    const along = (s: LabStats) =>
      (s.mean[1] - base.mean[1]) * WARM_AXIS[0] + (s.mean[2] - base.mean[2]) * WARM_AXIS[1];
    const quarter = await applyRegionAction(astronaut, region, { kind: 'warmth', amount: 0.25 });
    const full = await applyRegionAction(astronaut, region, { kind: 'warmth', amount: 1 });
    const q = along(labStatsOf(quarter, interior));
    const f = along(labStatsOf(full, interior));
    expect(q).toBeGreaterThan(0.18 * WARMTH_SHIFT);
    expect(q).toBeLessThan(0.3 * WARMTH_SHIFT);
    expect(f).toBeGreaterThan(3 * q);
    const none = await applyRegionAction(astronaut, region, { kind: 'warmth', amount: 0 });
    expect(none.data).toEqual(astronaut.data);
  });
});

describe('applyRegionAction: soften', () => {
  it('lowers the Laplacian variance and the measured sharpness, more with a larger amount', async () => {
    const half = await applyRegionAction(coffee, region, { kind: 'soften', amount: 0.5 });
    const full = await applyRegionAction(coffee, region, { kind: 'soften', amount: 1 });
    expectOutsideUntouched(coffee, half);
    expectOutsideUntouched(coffee, full);

    const base = laplacianVariance(coffee);
    expect(laplacianVariance(half)).toBeLessThan(base * 0.7);
    expect(laplacianVariance(full)).toBeLessThan(laplacianVariance(half) * 0.8);
    expect(laplacianVariance(full)).toBeLessThan(base * 0.4);

    const [s0, s1] = await Promise.all([regionStats(coffee), regionStats(full)]);
    expect(s1!.sharpness).toBeLessThan(s0!.sharpness - 0.05);
    expect(s1!.laplacianVariance).toBeLessThan(s0!.laplacianVariance * 0.5);
    // A blur keeps the mean colour.
    expect(labDistance(labStatsOf(full, interior), labStatsOf(coffee, interior))).toBeLessThan(1.5);

    const none = await applyRegionAction(coffee, region, { kind: 'soften', amount: 0 });
    expect(none.data).toEqual(coffee.data);
  });

  it('refuses out-of-range warmth and soften amounts', async () => {
    const bad = [
      { kind: 'warmth', amount: 1.5 },
      { kind: 'warmth', amount: -1.01 },
      { kind: 'warmth', amount: Number.NaN },
      { kind: 'warmth' },
      { kind: 'soften', amount: -0.1 },
      { kind: 'soften', amount: 2 },
      { kind: 'soften', amount: Number.POSITIVE_INFINITY },
    ] as unknown as RegionAction[];
    for (const action of bad) {
      const error = await backendFailure(applyRegionAction(coffee, region, action));
      expect(error.kind).toBe('INVALID_REQUEST');
      expect(error.backend).toBe('refinement');
    }
  });
});

describe('applyPlannedSteps', () => {
  const STEPS: PlannedStep[] = [
    { kind: 'regenerate', strength: 1 },
    { kind: 'regenerate', strength: 0.5 },
    { kind: 'inpaint', strength: 1 },
    { kind: 'color-transfer', strength: 0.8 },
    { kind: 'adjust', brightness: 1.3, contrast: 0.8, saturation: 1.2 },
    { kind: 'warmth', amount: 0.6 },
    { kind: 'warmth', amount: -0.6 },
    { kind: 'sharpen', amount: 0.7 },
    { kind: 'soften', amount: 0.7 },
  ];

  it.each(STEPS.map((step) => [JSON.stringify(step), step] as const))(
    '%s changes the region and keeps every byte outside it',
    async (_name, step) => {
      const snapshot = new Uint8ClampedArray(coffee.data);
      const { image, steps } = await applyPlannedSteps(coffee, region, [step], {
        referenceLab: labStatsOf(chelsea),
        generative: generative(),
      });
      expect(steps).toEqual([{ step, applied: true }]);
      expect(coffee.data).toEqual(snapshot); // the input is not modified
      expectOutsideUntouched(coffee, image);
      expect(changedInside(coffee, image)).toBeGreaterThan(0.5);
    },
  );

  it('runs a whole plan in the planner order, the same as applying each action in turn', async () => {
    const target = labStatsOf(chelsea);
    const plan: PlannedStep[] = [
      { kind: 'color-transfer', strength: 0.6 },
      { kind: 'adjust', brightness: 1.2, contrast: 0.9, saturation: 1.1 },
      { kind: 'warmth', amount: -0.4 },
      { kind: 'sharpen', amount: 0.5 },
    ];
    const { image, steps } = await applyPlannedSteps(coffee, region, plan, { referenceLab: target });
    expect(steps.map((s) => s.step)).toEqual(plan);
    expect(steps.every((s) => s.applied && s.note === undefined)).toBe(true);

    let expected = coffee;
    for (const action of [
      { kind: 'color-transfer', target, strength: 0.6 },
      { kind: 'adjust', brightness: 1.2, contrast: 0.9, saturation: 1.1 },
      { kind: 'warmth', amount: -0.4 },
      { kind: 'sharpen', amount: 0.5 },
    ] as RegionAction[]) {
      expected = await applyRegionAction(expected, region, action);
    }
    expect(image.data).toEqual(expected.data);

    // Order matters: the same steps reversed give a different image.
    const reversed = await applyPlannedSteps(coffee, region, [...plan].reverse(), { referenceLab: target });
    expect(reversed.image.data).not.toEqual(image.data);
  });

  it('runs the regeneration first and the in-place edits on its fresh pixels', async () => {
    const calls: PlannedStep[] = [];
    const plan: PlannedStep[] = [
      { kind: 'regenerate', strength: 1 },
      { kind: 'warmth', amount: 0.5 },
    ];
    const { image } = await applyPlannedSteps(coffee, region, plan, {
      referenceLab: null,
      generative: generative(calls),
    });
    expect(calls).toEqual([plan[0]]);
    const regenerated = await generative()(coffee, plan[0] as Extract<PlannedStep, { kind: 'regenerate' }>);
    const expected = await applyRegionAction(regenerated, region, { kind: 'warmth', amount: 0.5 });
    expect(image.data).toEqual(expected.data);
  });

  it('skips a colour transfer without reference colours, reports it, and still applies the rest', async () => {
    const plan: PlannedStep[] = [
      { kind: 'color-transfer', strength: 0.9 },
      { kind: 'adjust', brightness: 1.3, contrast: 1, saturation: 1 },
    ];
    const { image, steps } = await applyPlannedSteps(coffee, region, plan, { referenceLab: null });
    expect(steps[0]).toMatchObject({
      step: plan[0],
      applied: false,
      note: expect.stringMatching(/reference/),
    });
    expect(steps[1]).toEqual({ step: plan[1], applied: true });
    const adjustedOnly = await applyRegionAction(coffee, region, {
      kind: 'adjust',
      brightness: 1.3,
      contrast: 1,
      saturation: 1,
    });
    expect(image.data).toEqual(adjustedOnly.data);

    const alone = await applyPlannedSteps(coffee, region, [plan[0]!], { referenceLab: null });
    expect(alone.steps).toEqual([{ step: plan[0], applied: false, note: expect.any(String) }]);
    expect(alone.image.data).toEqual(coffee.data);
  });

  it('skips generative steps without a generator and reports them', async () => {
    const plan: PlannedStep[] = [
      { kind: 'regenerate', strength: 0.9 },
      { kind: 'inpaint', strength: 0.6 },
      { kind: 'soften', amount: 0.5 },
    ];
    const { image, steps } = await applyPlannedSteps(coffee, region, plan, {
      referenceLab: labStatsOf(chelsea),
    });
    expect(steps.map((s) => s.applied)).toEqual([false, false, true]);
    expect(steps[0]!.note).toMatch(/generative/);
    expect(steps[1]!.note).toMatch(/generative/);
    const softened = await applyRegionAction(coffee, region, { kind: 'soften', amount: 0.5 });
    expect(image.data).toEqual(softened.data);
  });

  it('throws on an aborted signal before doing any work', async () => {
    const calls: PlannedStep[] = [];
    const controller = new AbortController();
    const reason = new Error('stopped by the test');
    controller.abort(reason);
    const snapshot = new Uint8ClampedArray(coffee.data);
    await expect(
      applyPlannedSteps(coffee, region, [{ kind: 'regenerate', strength: 1 }], {
        referenceLab: null,
        generative: generative(calls),
        signal: controller.signal,
      }),
    ).rejects.toBe(reason);
    expect(calls).toHaveLength(0);
    expect(coffee.data).toEqual(snapshot);
  });

  it('stops between steps once the signal is aborted', async () => {
    const controller = new AbortController();
    const calls: PlannedStep[] = [];
    const inner = generative(calls);
    const promise = applyPlannedSteps(
      coffee,
      region,
      [
        { kind: 'regenerate', strength: 1 },
        { kind: 'inpaint', strength: 1 },
      ],
      {
        referenceLab: null,
        generative: async (image, step) => {
          const out = await inner(image, step);
          controller.abort();
          return out;
        },
        signal: controller.signal,
      },
    );
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls.map((s) => s.kind)).toEqual(['regenerate']);
  });
});

describe('blendLabStats', () => {
  const a: LabStats = { mean: [40, 10, -20], std: [10, 4, 6] };
  const b: LabStats = { mean: [80, -6, 30], std: [20, 8, 2] };

  it('is the weighted mean of means and of standard deviations', () => {
    const blended = blendLabStats([
      { stats: a, weight: 1 },
      { stats: b, weight: 3 },
    ])!;
    for (let c = 0; c < 3; c++) {
      expect(blended.mean[c]).toBeCloseTo((a.mean[c]! + 3 * b.mean[c]!) / 4, 10);
      expect(blended.std[c]).toBeCloseTo((a.std[c]! + 3 * b.std[c]!) / 4, 10);
    }
    // Weights need not sum to 1: one part at any positive weight is that part.
    const single = blendLabStats([{ stats: a, weight: 0.2 }])!;
    for (let c = 0; c < 3; c++) {
      expect(single.mean[c]).toBeCloseTo(a.mean[c]!, 10);
      expect(single.std[c]).toBeCloseTo(a.std[c]!, 10);
    }
    // Equal weights: the midpoint.
    expect(
      blendLabStats([
        { stats: a, weight: 0.5 },
        { stats: b, weight: 0.5 },
      ])!.mean,
    ).toEqual([60, 2, 5]);
  });

  it('ignores zero and negative weights', () => {
    for (const weight of [0, -5]) {
      const blended = blendLabStats([
        { stats: a, weight: 1 },
        { stats: b, weight },
      ])!;
      for (let c = 0; c < 3; c++) {
        expect(blended.mean[c]).toBeCloseTo(a.mean[c]!, 10);
        expect(blended.std[c]).toBeCloseTo(a.std[c]!, 10);
      }
    }
  });

  it('is null with no parts or no positive weight', () => {
    expect(blendLabStats([])).toBeNull();
    expect(blendLabStats([{ stats: a, weight: 0 }])).toBeNull();
    expect(
      blendLabStats([
        { stats: a, weight: 0 },
        { stats: b, weight: -1 },
      ]),
    ).toBeNull();
  });
});

describe('mergeRegionPatches', () => {
  const left = { points: rect(8, 10, 60, 90), featherPx: 3 };
  const right = { points: rect(90, 20, 60, 80), featherPx: 3 };

  function rect(x: number, y: number, w: number, h: number): Point[] {
    return [
      { x, y },
      { x: x + w, y },
      { x: x + w, y: y + h },
      { x, y: y + h },
    ];
  }

  /** The base with `rgb` painted over the rectangle. */
  function painted(base: RasterImage, x0: number, y0: number, w: number, h: number, rgb: number[]) {
    const out = copyOf(base);
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) out.data.set([...rgb, 255], (y * base.width + x) * 4);
    }
    return out;
  }

  it('lands two patches computed in parallel on disjoint regions, as if applied one after the other', async () => {
    const snapshot = new Uint8ClampedArray(coffee.data);
    const [warmed, softened] = await Promise.all([
      applyRegionAction(coffee, left, { kind: 'warmth', amount: 0.8 }),
      applyRegionAction(coffee, right, { kind: 'soften', amount: 1 }),
    ]);
    const merged = mergeRegionPatches(coffee, [warmed!, softened!]);
    const sequential = await applyRegionAction(warmed!, right, { kind: 'soften', amount: 1 });
    expect(merged.data).toEqual(sequential.data);
    expect(merged.data).not.toEqual(warmed!.data);
    expect(merged.data).not.toEqual(softened!.data);
    expect(coffee.data).toEqual(snapshot); // neither the base ...
    expect(merged.data).not.toBe(coffee.data);
  });

  it('lets the later patch win where regions overlap', () => {
    const base = solid(40, 30, [128, 128, 128]);
    const red = painted(base, 5, 5, 20, 15, [255, 0, 0]);
    const blue = painted(base, 15, 10, 20, 15, [0, 0, 255]);
    const at = (image: RasterImage, x: number, y: number) => [
      ...image.data.subarray((y * 40 + x) * 4, (y * 40 + x) * 4 + 4),
    ];

    const redThenBlue = mergeRegionPatches(base, [red, blue]);
    expect(at(redThenBlue, 20, 12)).toEqual([0, 0, 255, 255]); // overlap: the later one
    expect(at(redThenBlue, 6, 6)).toEqual([255, 0, 0, 255]); // only the first changed it
    expect(at(redThenBlue, 33, 23)).toEqual([0, 0, 255, 255]); // only the second changed it
    expect(at(redThenBlue, 38, 2)).toEqual([128, 128, 128, 255]); // neither

    const blueThenRed = mergeRegionPatches(base, [blue, red]);
    expect(at(blueThenRed, 20, 12)).toEqual([255, 0, 0, 255]);
    expect(at(blueThenRed, 33, 23)).toEqual([0, 0, 255, 255]);

    const none = mergeRegionPatches(base, []);
    expect(none.data).toEqual(base.data);
    expect(none.data).not.toBe(base.data);
  });

  it('refuses a patch of another size, and malformed images, with a typed error', async () => {
    const base = solid(40, 30, [10, 20, 30]);
    const error = await backendFailure(
      Promise.resolve().then(() => mergeRegionPatches(base, [copyOf(base), solid(30, 40, [0, 0, 0])])),
    );
    expect(error.kind).toBe('INVALID_REQUEST');
    expect(error.backend).toBe('refinement');
    expect(error.message).toMatch(/30x40/);

    const broken = { width: 40, height: 30, data: new Uint8ClampedArray(12) };
    for (const [b, patches] of [
      [broken, []],
      [base, [broken]],
    ] as const) {
      const e = await backendFailure(Promise.resolve().then(() => mergeRegionPatches(b, patches)));
      expect(e.kind).toBe('INVALID_REQUEST');
    }
  });
});

describe('generateRegion', () => {
  const signal = () => new AbortController().signal;

  it('regenerates at strength 1: the region takes the backend pixels and nothing outside changes', async () => {
    const progress: ProgressUpdate[] = [];
    const { image, result } = await generateRegion(procedural, coffee, PROMPT, {
      kind: 'regenerate',
      strength: 1,
      seed: 9,
      signal: signal(),
      onProgress: (u) => progress.push(u),
    });
    expectOutsideUntouched(coffee, image);
    expect(changedInside(coffee, image)).toBeGreaterThan(0.9);
    expect(meanChangeInside(coffee, image)).toBeGreaterThan(20);
    // Procedural takes any size: the region was generated at its box and pasted 1:1 where the mask is opaque.
    expect(result.image.width).toBe(box.width);
    expect(result.image.height).toBe(box.height);
    expect(result.seed).toBe(9);
    let compared = 0;
    for (let y = 0; y < box.height; y++) {
      for (let x = 0; x < box.width; x++) {
        const i = (box.y + y) * W + box.x + x;
        if (opaque[i] !== 1) continue;
        for (let c = 0; c < 3; c++) {
          expect(
            Math.abs(image.data[i * 4 + c]! - result.image.data[(y * box.width + x) * 4 + c]!),
          ).toBeLessThanOrEqual(1);
        }
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(interiorCount * 0.6);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.fraction).toBe(1);
  });

  it('at strength 0.5 every byte lies between the original and the full regeneration, halfway', async () => {
    const options = { kind: 'regenerate', seed: 9, signal: signal() } as const;
    const [{ image: full }, { image: half }] = await Promise.all([
      generateRegion(procedural, coffee, PROMPT, { ...options, strength: 1 }),
      generateRegion(procedural, coffee, PROMPT, { ...options, strength: 0.5 }),
    ]);
    expectOutsideUntouched(coffee, half);
    for (let i = 0; i < half.data.length; i++) {
      const lo = Math.min(coffee.data[i]!, full.data[i]!);
      const hi = Math.max(coffee.data[i]!, full.data[i]!);
      if (half.data[i]! < lo || half.data[i]! > hi) {
        throw new Error(`byte ${i}: ${half.data[i]} is outside [${lo}, ${hi}]`);
      }
    }
    const ratio = meanChangeInside(coffee, half) / meanChangeInside(coffee, full);
    expect(ratio).toBeGreaterThan(0.45);
    expect(ratio).toBeLessThan(0.55);
  });

  it('asks more of the prompt with a stronger recommendation, in the syntax the backend reads', async () => {
    const seen: GenerateParams[] = [];
    const recording = (backend: ImageBackend): ImageBackend => ({
      ...backend,
      generate: (params, ctx) => {
        seen.push(params);
        return backend.generate(params, ctx);
      },
    });
    const a1111 = recording(createProceduralBackend({ name: 'automatic1111' }));
    await generateRegion(a1111, coffee, PROMPT, {
      kind: 'regenerate',
      strength: 1,
      seed: 1,
      signal: signal(),
    });
    await generateRegion(recording(procedural), coffee, PROMPT, {
      kind: 'regenerate',
      strength: 0.5,
      seed: 1,
      signal: signal(),
    });
    expect(seen[0]).toMatchObject({ prompt: `(${PROMPT.prompt}:1.30)`, guidance: 9.5, seed: 1 });
    expect(seen[0]).toMatchObject({ width: box.width, height: box.height });
    expect(seen[1]).toMatchObject({ prompt: PROMPT.prompt, guidance: 8.5 });
  });

  it('inpaints with PatchMatch from a reference: the region takes on its colours, nothing outside changes', async () => {
    const target = labStatsOf(chelseaRef);
    const before = labDistance(labStatsOf(coffee, interior), target);
    expect(before).toBeGreaterThan(15); // the photos differ enough for this to mean something

    const progress: number[] = [];
    const { image, result } = await generateRegion(patchmatch, coffee, PROMPT, {
      kind: 'inpaint',
      strength: 1,
      seed: 5,
      reference: chelseaRef,
      signal: signal(),
      onProgress: (u) => progress.push(u.fraction),
    });
    expect(result.model).toBe('patchmatch');
    expectOutsideUntouched(coffee, image);
    const after = labDistance(labStatsOf(image, interior), target);
    expect(after).toBeLessThan(before * 0.5);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));

    // Every inpainted interior pixel is a colour the reference has (near enough after resampling), far more
    // often than the original pixels are.
    const refColours = new Set<number>();
    for (let p = 0; p < chelseaRef.data.length; p += 4) {
      refColours.add(quantised(chelseaRef.data[p]!, chelseaRef.data[p + 1]!, chelseaRef.data[p + 2]!));
    }
    const inReference = (img: RasterImage) => {
      let hits = 0;
      for (let i = 0; i < W * H; i++) {
        if (interior.data[i] !== 1) continue;
        hits += refColours.has(quantised(img.data[i * 4]!, img.data[i * 4 + 1]!, img.data[i * 4 + 2]!))
          ? 1
          : 0;
      }
      return hits / interiorCount;
    };
    expect(inReference(image)).toBeGreaterThan(inReference(coffee) + 0.2);
  });

  it('cancels a request whose signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    for (const [backend, kind] of [
      [procedural, 'regenerate'],
      [patchmatch, 'inpaint'],
    ] as const) {
      const error = await backendFailure(
        generateRegion(backend, coffee, PROMPT, {
          kind,
          strength: 1,
          seed: 1,
          reference: chelseaRef,
          signal: controller.signal,
        }),
      );
      expect(error.kind).toBe('CANCELLED');
    }
  });
});

/** An RGB colour on a 16-level grid per channel. */
function quantised(r: number, g: number, b: number): number {
  return ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
}
