import {
  BackendError,
  createProceduralBackend,
  ellipse,
  type ImageBackend,
  pointInPolygon,
  rectangle,
  renderProcedural,
} from '@pakati/core';
import { collect, wsClient } from '@pakati/testkit';
import { BACKEND_FACTORIES, BackendRegistry } from '@pakati/worker';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADD_REGION,
  CREATE_PROJECT,
  RUN_EVENTS,
  type RunEventMessage,
  START_RUN,
  type Stack,
  startStack,
} from './harness.ts';

/** A generator that does a little real work and then dies, as an overloaded GPU server would. */
function dyingBackend(): ImageBackend & { calls: number } {
  const healthy = createProceduralBackend({ name: 'a-dying' });
  const backend = {
    ...healthy,
    name: 'a-dying',
    calls: 0,
    async generate(
      _params: Parameters<ImageBackend['generate']>[0],
      ctx: Parameters<ImageBackend['generate']>[1],
    ) {
      backend.calls++;
      ctx.onProgress?.({ step: 1, totalSteps: 4, fraction: 0.25 });
      throw new BackendError('OUT_OF_MEMORY', 'a-dying', 'CUDA out of memory');
    },
  };
  return backend;
}

let stack: Stack;
const dying = dyingBackend();
beforeAll(async () => {
  stack = await startStack({
    env: { PAKATI_BACKEND_MAX_ATTEMPTS: '1' },
    backends: (config) => new BackendRegistry(config.backends, BACKEND_FACTORIES, [dying]),
  });
});
afterAll(async () => {
  await stack?.stop();
});

const canvas = { width: 200, height: 150 };
const shapes = [rectangle(10, 10, 110, 90), ellipse(110, 75, 60, 45, 48), rectangle(80, 50, 100, 90)];

async function threeRegionRun(seed: number, extra: Record<string, unknown> = {}) {
  const gql = stack.alpha.gql;
  const project = await gql<{ createProject: { project: { id: string } } }>(CREATE_PROJECT, {
    input: { name: 'Overlaps', ...canvas },
  });
  const projectId = project.data!.createProject.project.id;
  const prompts = ['red stripes', 'deep blue ocean waves', 'green forest checker'];
  for (const [i, points] of shapes.entries()) {
    const added = await gql(ADD_REGION, {
      input: { projectId, prompt: prompts[i], points, feather: 6, zOrder: i },
    });
    expect(added.errors).toBeUndefined();
  }
  const started = await gql<{ startRun: { run: { id: string } } }>(START_RUN, {
    input: { projectId, kind: 'GENERATE', seed, ...extra },
  });
  const runId = started.data!.startRun.run.id;
  const client = wsClient(stack.api.url, stack.alpha.key);
  const result = await collect<RunEventMessage>(client, RUN_EVENTS, { runId, after: 0 }).done;
  await client.dispose();
  expect(result.error).toBeUndefined();
  const events = result.items.map((m) => m.runEvents);
  const png = Buffer.from(await (await fetch(events.at(-1)!.imageUrl!)).arrayBuffer());
  return { runId, projectId, events, png };
}

describe('regional generation and composition', () => {
  it('blends three overlapping regions without bleed, fails over from a dying backend, and records every step', async () => {
    const { runId, events, png } = await threeRegionRun(2024);
    expect(events.at(-1)!.type).toBe('COMPLETED');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));

    // The dying backend ranked first (alphabetical among equals), failed mid-step, and the region moved on to
    // procedural; once its failure was recorded the selector ranked it last, so later regions skipped it.
    expect(dying.calls).toBeGreaterThanOrEqual(1);
    expect(dying.calls).toBeLessThan(3);
    const failovers = events.filter((e) => e.type === 'STEP' && e.status === 'FAILOVER');
    expect(failovers).toHaveLength(dying.calls);
    expect(failovers.every((e) => e.backend === 'a-dying')).toBe(true);

    // No bleed: every pixel outside all three polygons is exactly the run's background.
    const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([canvas.width, canvas.height]);
    const render = renderProcedural({ ...canvas, seed: 2024, regions: [] });
    let next = render.next();
    while (!next.done) next = render.next();
    const background = next.value.data;
    let outside = 0;
    let differing = 0;
    for (let y = 0; y < canvas.height; y++) {
      for (let x = 0; x < canvas.width; x++) {
        if (shapes.some((s) => pointInPolygon({ x: x + 0.5, y: y + 0.5 }, s))) continue;
        outside++;
        const i = (y * canvas.width + x) * 4;
        if (
          data[i] !== background[i] ||
          data[i + 1] !== background[i + 1] ||
          data[i + 2] !== background[i + 2]
        )
          differing++;
      }
    }
    expect(outside).toBeGreaterThan(5000);
    expect(differing).toBe(0);

    // Every step is in the history with its seed, backend and the failover it took.
    const history = await stack.alpha.gql<{
      run: {
        steps: {
          operation: string;
          backend: string;
          seed: number;
          regionId: string | null;
          failovers: { backend: string }[];
        }[];
      };
    }>(
      `query($id: ID!) { run(id: $id) { steps { operation backend seed regionId failovers { backend } } } }`,
      { id: runId },
    );
    const steps = history.data!.run.steps;
    expect(steps.map((s) => s.operation).sort()).toEqual(['compose', 'generate', 'generate', 'generate']);
    const regionSteps = steps.filter((s) => s.operation === 'generate');
    expect(new Set(regionSteps.map((s) => s.seed)).size).toBe(3);
    expect(new Set(regionSteps.map((s) => s.regionId)).size).toBe(3);
    expect(regionSteps.every((s) => s.backend === 'procedural')).toBe(true);
    expect(regionSteps.filter((s) => s.failovers[0]?.backend === 'a-dying')).toHaveLength(dying.calls);
  });

  it('lists the backends with capabilities, circuit state and recorded performance (models)', async () => {
    // The worker reports every 5 s; ask it to report now rather than wait.
    await stack.platform.backendStatus.report('test-worker', stack.backends!.statuses());
    const res = await stack.alpha.gql<{
      models: {
        name: string;
        workers: number;
        circuit: string;
        available: boolean;
        capabilities: { txt2img: boolean; inpainting: boolean } | null;
        performance: { successes: number; failures: number };
      }[];
    }>(
      '{ models { name workers circuit available capabilities { txt2img inpainting } performance { successes failures } } }',
    );
    expect(res.errors).toBeUndefined();
    const byName = Object.fromEntries(res.data!.models.map((m) => [m.name, m]));
    expect(byName.procedural).toMatchObject({
      available: true,
      circuit: 'closed',
      capabilities: { txt2img: true },
    });
    expect(byName.procedural!.workers).toBeGreaterThanOrEqual(1);
    expect(byName.procedural!.performance.successes).toBeGreaterThanOrEqual(3);
    expect(byName.patchmatch).toMatchObject({ capabilities: { txt2img: false, inpainting: true } });
    expect(byName['a-dying']!.performance.failures).toBeGreaterThanOrEqual(1);
  });

  it('inpaints regions into an earlier run (apply-to-region), leaving everything outside them untouched', async () => {
    const first = await threeRegionRun(7);
    const gql = stack.alpha.gql;
    const projectId = first.projectId;
    const started = await gql<{ startRun: { run: { id: string } } }>(START_RUN, {
      input: { projectId, kind: 'GENERATE', seed: 8, baseRunId: first.runId },
    });
    expect(started.errors).toBeUndefined();
    const runId = started.data!.startRun.run.id;
    const client = wsClient(stack.api.url, stack.alpha.key);
    const events = (await collect<RunEventMessage>(client, RUN_EVENTS, { runId, after: 0 }).done).items.map(
      (m) => m.runEvents,
    );
    await client.dispose();
    expect(events.at(-1)!.type).toBe('COMPLETED');
    const second = Buffer.from(await (await fetch(events.at(-1)!.imageUrl!)).arrayBuffer());
    const [a, b] = await Promise.all(
      [first.png, second].map((png) => sharp(png).ensureAlpha().raw().toBuffer()),
    );
    let outsideDiffer = 0;
    let insideDiffer = 0;
    for (let y = 0; y < canvas.height; y++) {
      for (let x = 0; x < canvas.width; x++) {
        const i = (y * canvas.width + x) * 4;
        const same = a![i] === b![i] && a![i + 1] === b![i + 1] && a![i + 2] === b![i + 2];
        if (shapes.some((s) => pointInPolygon({ x: x + 0.5, y: y + 0.5 }, s))) insideDiffer += same ? 0 : 1;
        else outsideDiffer += same ? 0 : 1;
      }
    }
    expect(outsideDiffer).toBe(0);
    expect(insideDiffer).toBeGreaterThan(1000);
    const steps = await gql<{ run: { steps: { operation: string }[] } }>(
      `query($id: ID!) { run(id: $id) { steps { operation } } }`,
      { id: runId },
    );
    expect(steps.data!.run.steps.map((s) => s.operation).sort()).toEqual([
      'compose',
      'inpaint',
      'inpaint',
      'inpaint',
    ]);
    // A base run of another project is refused before anything is queued.
    const other = await gql<{ createProject: { project: { id: string } } }>(CREATE_PROJECT, {
      input: { name: 'Other', ...canvas },
    });
    const refused = await gql(START_RUN, {
      input: { projectId: other.data!.createProject.project.id, kind: 'GENERATE', baseRunId: first.runId },
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('enhances prompts when asked, keeping the original and the enhanced prompt in the history', async () => {
    const { runId } = await threeRegionRun(11, { enhancePrompts: true });
    const res = await stack.alpha.gql<{
      run: { steps: { operation: string; prompt: string; enhancedPrompt: string | null }[] };
    }>(`query($id: ID!) { run(id: $id) { steps { operation prompt enhancedPrompt } } }`, { id: runId });
    const regionSteps = res.data!.run.steps.filter((s) => s.operation === 'generate');
    expect(regionSteps).toHaveLength(3);
    for (const step of regionSteps) {
      expect(step.enhancedPrompt!.startsWith(step.prompt)).toBe(true);
      expect(step.enhancedPrompt!.length).toBeGreaterThan(step.prompt.length);
    }
    const plain = await threeRegionRun(12);
    const plainSteps = await stack.alpha.gql<{ run: { steps: { enhancedPrompt: string | null }[] } }>(
      `query($id: ID!) { run(id: $id) { steps { enhancedPrompt } } }`,
      { id: plain.runId },
    );
    expect(plainSteps.data!.run.steps.every((s) => s.enhancedPrompt === null)).toBe(true);
  });

  it('repeats byte for byte from the same seed', async () => {
    const a = await threeRegionRun(99);
    const b = await threeRegionRun(99);
    const c = await threeRegionRun(100);
    expect(a.png.equals(b.png)).toBe(true);
    expect(a.png.equals(c.png)).toBe(false);
  });
});
