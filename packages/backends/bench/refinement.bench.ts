// `node --import tsx bench/refinement.bench.ts` (packages/backends): refinement efficacy with the offline
// backends. Four procedurally generated regions each get one fixture photograph as their reference; REFINE runs
// under every strategy and the table shows the mean per-region attribute delta (colour, lighting, contrast,
// sharpness, texture statistics) before and after, the iterations used, the wall time, and the smallest
// perceptual-hash distance of a region to its reference (the copy guard: it must stay above 10 of 64 bits).
// The baseline is the same image before refinement, measured in the same run. Targets are printed, not asserted.
import { readFileSync } from 'node:fs';
import {
  createPatchMatchBackend,
  createProceduralBackend,
  DEFAULT_REFINEMENT_SETTINGS,
  defaultRuleSet,
  deriveSeed,
  type Point,
  type ProceduralRegion,
  type RasterImage,
  REFINEMENT_STRATEGIES,
  renderProcedural,
} from '@pakati/core';
import {
  type GenerativeStep,
  generateRegion,
  type LoopRegion,
  loadPhoto,
  referenceProfile,
  refineInProcess,
  resizeRaster,
  sharpKernel,
} from '../src/index.ts';

const SIZE = 512;

function finish<T>(render: Generator<unknown, T, void>): T {
  let next = render.next();
  while (!next.done) next = render.next();
  return next.value;
}

function quad(x: number, y: number, w: number, h: number): Point[] {
  return [
    { x, y },
    { x: x + w, y },
    { x: x + w, y: y + h },
    { x, y: y + h },
  ];
}

const REGIONS: { id: string; prompt: string; points: Point[]; photo: string }[] = [
  {
    id: 'sky',
    prompt: 'a pale blue sky with soft clouds',
    points: quad(16, 16, 232, 232),
    photo: 'rocket.jpg',
  },
  {
    id: 'cat',
    prompt: 'a striped tabby cat on a warm rug',
    points: quad(264, 16, 232, 232),
    photo: 'chelsea.png',
  },
  {
    id: 'cup',
    prompt: 'a cup of coffee on a dark table',
    points: quad(16, 264, 232, 232),
    photo: 'coffee.png',
  },
  {
    id: 'suit',
    prompt: 'a white space suit with flags',
    points: quad(264, 264, 232, 232),
    photo: 'astronaut.png',
  },
];

function proceduralRegion(r: (typeof REGIONS)[number], seed: number): ProceduralRegion {
  return { points: r.points, prompt: r.prompt, seed, zOrder: 0, featherPx: 4 };
}

async function main() {
  const seed = 1234;
  const base = finish(
    renderProcedural({
      width: SIZE,
      height: SIZE,
      seed,
      regions: REGIONS.map((r) => proceduralRegion(r, seed)),
    }),
  ) as RasterImage;
  const regions: LoopRegion[] = [];
  const references = new Map<string, RasterImage>();
  for (const r of REGIONS) {
    const photo = await loadPhoto(
      readFileSync(new URL(`../../../fixtures/photos/${r.photo}`, import.meta.url)),
    );
    const scaled = await resizeRaster(photo, 256, Math.round((256 * photo.height) / photo.width));
    const profile = await referenceProfile(scaled, sharpKernel);
    references.set(r.id, scaled);
    regions.push({
      id: r.id,
      points: r.points,
      featherPx: 4,
      references: [{ id: r.photo, weight: 1, profile }],
    });
  }
  const procedural = createProceduralBackend();
  const patchmatch = createPatchMatchBackend();
  const generate = async (
    image: RasterImage,
    region: LoopRegion,
    step: GenerativeStep,
    iteration: number,
  ) => {
    const spec = REGIONS.find((r) => r.id === region.id)!;
    const { image: out } = await generateRegion(
      step.kind === 'regenerate' ? procedural : patchmatch,
      image,
      { points: region.points, featherPx: region.featherPx, prompt: spec.prompt, negativePrompt: null },
      {
        kind: step.kind,
        strength: step.strength,
        seed: deriveSeed(seed, region.id, iteration),
        reference: references.get(region.id) ?? null,
        signal: new AbortController().signal,
      },
    );
    return out;
  };

  const rows: string[][] = [];
  for (const strategy of REFINEMENT_STRATEGIES) {
    const began = performance.now();
    const result = await refineInProcess({
      image: base,
      regions,
      ruleSet: defaultRuleSet(),
      settings: { ...DEFAULT_REFINEMENT_SETTINGS, strategy, maxIterations: 5, targetScore: 0.95 },
      kernel: sharpKernel,
      generate,
    });
    const ms = performance.now() - began;
    if (process.env.DEBUG_BENCH)
      for (const [label, a] of [
        ['before', result.baseline],
        ['after', result.best],
      ] as const)
        for (const r of a.regions)
          console.log(
            strategy,
            label,
            r.regionId,
            Object.entries(r.report)
              .map(([k, v]) => `${k.replace(/_delta|_distance/, '')}=${v === null ? '-' : v.toFixed(2)}`)
              .join(' '),
          );
    const before = mean(result.baseline.regions.map((r) => r.attributeDelta));
    const after = mean(result.best.regions.map((r) => r.attributeDelta));
    const minHash = Math.min(...result.best.regions.map((r) => r.hashDistance ?? 64));
    rows.push([
      strategy,
      before.toFixed(3),
      after.toFixed(3),
      `${(100 * (1 - after / before)).toFixed(1)}%`,
      `${result.iterations.length} (${result.iterations.filter((i) => i.accepted).length} accepted)`,
      result.stop,
      String(minHash),
      `${ms.toFixed(0)} ms`,
      result.iterations.map((i) => `${i.accepted ? '+' : 'x'}${i.bestScore.toFixed(3)}`).join(' '),
    ]);
  }
  const head = [
    'strategy',
    'delta before',
    'delta after',
    'reduction',
    'iterations',
    'stop',
    'min phash bits',
    'wall',
    'best score per iteration',
  ];
  console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log('\nTargets: reduction >= 60% within 5 iterations; min phash bits > 10.');
}

function mean(values: number[]) {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

await main();
