import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  createProceduralBackend,
  DEFAULT_STEP_DURATIONS_MS,
  type ImageBackend,
  PakatiError,
} from '@pakati/core';
import { RunEventSchema } from '@pakati/db';
import { isBlobKey, ProgressThrottle } from '@pakati/platform';
import { collect, wsClient } from '@pakati/testkit';
import { BACKEND_FACTORIES, BackendRegistry } from '@pakati/worker';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGate } from './gate.ts';
import {
  ADD_REGION,
  projectWithRegion,
  rawId,
  START_RUN,
  type Stack,
  startStack,
  uploadReference,
} from './harness.ts';

const INTERVAL_MS = 200;
// Event times are stamped when the event is written, a few ms after the gate opened: that much slack.
const STAMP_SLACK_MS = 80;
const STEPS = 30;
const STEP_MS = 30;

/**
 * A diffusion-like generator: many small progress updates, each with a preview frame, then the procedural
 * image. Armed, it waits half-way until released, so a test can look at a run that is surely in flight.
 */
function previewingBackend() {
  const base = createProceduralBackend({ name: 'previewing' });
  const gate = createGate();
  const backend: ImageBackend = {
    ...base,
    name: 'previewing',
    async generate(params, ctx) {
      for (let step = 1; step <= STEPS; step++) {
        await sleep(STEP_MS, undefined, { signal: ctx.signal });
        const frame = { width: 48, height: 32, data: new Uint8ClampedArray(48 * 32 * 4).fill(step * 8) };
        ctx.onProgress?.({ step, totalSteps: STEPS, fraction: step / STEPS, preview: frame });
        if (step === STEPS / 2) await gate.passed();
      }
      return base.generate(params, { signal: ctx.signal });
    },
  };
  return { backend, hold: gate.hold, release: gate.release };
}

let stack: Stack;
const previewing = previewingBackend();
beforeAll(async () => {
  stack = await startStack({
    // The only generator is the previewing one; PatchMatch inpaints for REFINE.
    env: { PAKATI_PROGRESS_INTERVAL_MS: String(INTERVAL_MS), PAKATI_BACKENDS: 'patchmatch' },
    backends: (config) => new BackendRegistry(config.backends, BACKEND_FACTORIES, [previewing.backend]),
  });
});
afterAll(async () => {
  previewing.release();
  await stack?.stop();
});

const EVENTS = /* GraphQL */ `
  subscription Events($runId: ID!) {
    runEvents(runId: $runId, after: 0) {
      __typename seq type at
      ... on RunProgressEvent { fraction step totalSteps etaSeconds previewUrl message }
      ... on RunStepEvent { regionId status }
      ... on RunFailedEvent { error { code message } }
    }
  }
`;

interface Event {
  seq: number;
  type: string;
  at: string;
  fraction?: number;
  step?: number;
  totalSteps?: number;
  etaSeconds?: number | null;
  previewUrl?: string | null;
  status?: string;
  error?: { code: string; message: string };
}

async function twoRegionProject() {
  const { projectId } = await projectWithRegion(stack.alpha.gql);
  const added = await stack.alpha.gql(ADD_REGION, {
    input: {
      projectId,
      prompt: 'green hills',
      points: [
        { x: 0, y: 0 },
        { x: 60, y: 0 },
        { x: 60, y: 40 },
        { x: 0, y: 40 },
      ],
    },
  });
  expect(added.errors).toBeUndefined();
  return projectId;
}

async function start(projectId: string, input: Record<string, unknown> = {}) {
  const started = await stack.alpha.gql<{ startRun: { run: { id: string } } }>(START_RUN, {
    input: { projectId, kind: 'GENERATE', ...input },
  });
  expect(started.errors).toBeUndefined();
  return started.data!.startRun.run.id;
}

function subscribe(runId: string) {
  const client = wsClient(stack.api.url, stack.alpha.key);
  const { items, done } = collect<{ runEvents: Event }>(client, EVENTS, { runId });
  return {
    events: () => items.map((m) => m.runEvents),
    async all() {
      const result = await done;
      await client.dispose();
      expect(result.error).toBeUndefined();
      return result.items.map((m) => m.runEvents);
    },
  };
}

describe('progress over the whole job graph', () => {
  it('is monotonic with an ETA, at most one PROGRESS per interval per run, and every status event', async () => {
    const projectId = await twoRegionProject();
    // Two runs at once: the gate is per run, and each run's two regions report from concurrent jobs.
    const runs = await Promise.all([start(projectId, { seed: 1 }), start(projectId, { seed: 2 })]);
    const streams = await Promise.all(runs.map((id) => subscribe(id).all()));
    for (const events of streams) {
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const statuses = events.filter((e) => e.type !== 'PROGRESS');
      expect(statuses.map((e) => e.type)).toEqual([
        'QUEUED',
        'STARTED',
        'STEP',
        'STEP',
        'STEP',
        'STEP',
        'COMPLETED',
      ]);
      expect(
        statuses
          .filter((e) => e.type === 'STEP')
          .map((e) => e.status)
          .sort(),
      ).toEqual(['STARTED', 'STARTED', 'SUCCEEDED', 'SUCCEEDED']);

      const progress = events.filter((e) => e.type === 'PROGRESS');
      // 2 x 30 backend updates with previews would be 60 events unthrottled; the run takes about a second.
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress.length).toBeLessThan(15);
      const times = progress.map((e) => Date.parse(e.at));
      for (let i = 1; i < times.length; i++) {
        expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(INTERVAL_MS - STAMP_SLACK_MS);
      }
      const fractions = progress.map((e) => e.fraction!);
      expect(fractions.every((f, i) => f > 0 && f <= 1 && (i === 0 || f >= fractions[i - 1]!))).toBe(true);
      expect(progress.every((e) => e.totalSteps === 3 && e.step! >= 0 && e.step! <= 3)).toBe(true);
      const etas = progress.map((e) => e.etaSeconds);
      expect(etas.every((eta) => typeof eta === 'number' && eta >= 0)).toBe(true);
      expect(etas.at(-1)!).toBeLessThan(etas[0]!);
    }
  });

  it('serves previews as signed blob URLs, and a running run has an ETA', async () => {
    const projectId = await twoRegionProject();
    previewing.hold();
    const runId = await start(projectId);
    const stream = subscribe(runId);
    await vi.waitFor(() => expect(stream.events().some((e) => e.previewUrl)).toBe(true), { timeout: 15_000 });

    const query = `query($id: ID!) { run(id: $id) { status progress etaSeconds } }`;
    const held = await stack.alpha.gql<{ run: { status: string; progress: number; etaSeconds: number } }>(
      query,
      {
        id: runId,
      },
    );
    expect(held.data!.run.status).toBe('RUNNING');
    expect(held.data!.run.etaSeconds).toBeGreaterThan(0);
    expect(held.data!.run.progress).toBeGreaterThan(0);
    expect(held.data!.run.progress).toBeLessThan(1);

    const previewUrl = stream.events().find((e) => e.previewUrl)!.previewUrl!;
    expect(previewUrl).toMatch(/\/images\/[a-f0-9]{64}\?expires=\d+&signature=/);
    const res = await fetch(previewUrl);
    expect(res.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([48, 32]);

    previewing.release();
    const events = await stream.all();
    expect(events.at(-1)!.type).toBe('COMPLETED');
    const done = await stack.alpha.gql<{ run: { status: string; progress: number; etaSeconds: null } }>(
      query,
      {
        id: runId,
      },
    );
    expect(done.data!.run).toEqual({ status: 'SUCCEEDED', progress: 1, etaSeconds: null });
  });

  it('REFINE: progress across generation and iterations never goes back, and COMPLETED brings it to 1', async () => {
    const { projectId, regionId } = await projectWithRegion(stack.alpha.gql, 'a cup of coffee');
    const photo = fileURLToPath(new URL('../../../fixtures/photos/coffee.png', import.meta.url));
    await uploadReference(stack, projectId, await sharp(photo).resize(64).png().toBuffer(), regionId);
    const runId = await start(projectId, { kind: 'REFINE', maxIterations: 3, targetScore: 0.99, seed: 4 });
    const events = await subscribe(runId).all();
    expect(events.at(-1)!.type, JSON.stringify(events.at(-1))).toBe('COMPLETED');

    const stored = await stack.platform.orm.em
      .fork()
      .find(RunEventSchema, { run: rawId(runId) }, { orderBy: { seq: 'asc' } });
    const reported = stored
      .filter((e) => e.type === 'PROGRESS' || e.type === 'ITERATION')
      .map((e) => ({ type: e.type, fraction: Number(e.payload.fraction) }));
    const iterations = reported.filter((e) => e.type === 'ITERATION');
    expect(iterations.length).toBeGreaterThanOrEqual(2);
    const fractions = reported.map((e) => e.fraction);
    expect(fractions.every((f, i) => f > 0 && f <= 1 && (i === 0 || f >= fractions[i - 1]!))).toBe(true);
    // Each decided iteration completes a planned share of the work, so each moves the run on.
    const decided = iterations.map((e) => e.fraction);
    expect(decided.every((f, i) => i === 0 || f > decided[i - 1]!)).toBe(true);
    expect(decided.at(-1)!).toBeLessThanOrEqual(1);
    const run = await stack.alpha.gql<{ run: { progress: number } }>(
      `query($id: ID!) { run(id: $id) { progress } }`,
      {
        id: runId,
      },
    );
    expect(run.data!.run.progress).toBe(1);
  });

  it('never puts image data in an event: previews are blob keys', async () => {
    const payloads = (await stack.platform.orm.em.fork().find(RunEventSchema, {})).map((e) => e.payload);
    const previews = payloads.map((p) => p.previewKey).filter((k) => k !== undefined);
    expect(previews.length).toBeGreaterThan(0);
    for (const key of previews) {
      expect(isBlobKey(String(key))).toBe(true);
      expect(await stack.platform.blobs.has(String(key))).toBe(true);
    }
    for (const payload of payloads) {
      const text = JSON.stringify(payload);
      expect(text).not.toMatch(/data:image|base64|[A-Za-z0-9+/]{200,}={0,2}/);
    }
  });
});

describe('measured step durations', () => {
  it('were recorded by the worker per kind and per backend, replacing the defaults', async () => {
    const expected = await stack.platform.stepDurations.expected([
      { id: 'a', kind: 'render-region', backend: 'previewing' },
      { id: 'b', kind: 'render-region', backend: 'never-used' },
      { id: 'c', kind: 'compose', backend: null },
    ]);
    // The previewing backend sleeps STEPS x STEP_MS per region at least.
    expect(expected.get('a')!).toBeGreaterThanOrEqual(STEPS * STEP_MS);
    expect(expected.get('a')).not.toBe(DEFAULT_STEP_DURATIONS_MS['render-region']);
    // A backend never measured gets its kind's average, not the default.
    expect(expected.get('b')).not.toBe(DEFAULT_STEP_DURATIONS_MS['render-region']);
    expect(expected.get('c')).not.toBe(DEFAULT_STEP_DURATIONS_MS.compose);
  });

  it('blend each new measurement into an exponentially weighted average; bad ones are typed errors', async () => {
    const durations = stack.platform.stepDurations;
    const part = { id: 'x', kind: 'decide' as const, backend: 'judge-only' };
    await durations.record('decide', 1000, 'judge-only');
    expect((await durations.expected([part])).get('x')).toBe(1000);
    await durations.record('decide', 2000, 'judge-only');
    expect((await durations.expected([part])).get('x')).toBe(1250);
    await expect(durations.record('decide', -1)).rejects.toThrow(PakatiError);
    await expect(durations.record('decide', Number.NaN)).rejects.toThrow(PakatiError);
  });
});

describe('the progress throttle', () => {
  it('lets one update per run through until the interval passes, across throttles sharing Redis', async () => {
    const prefix = `${stack.env.PAKATI_QUEUE_PREFIX}:throttle-test`;
    const [a, b] = [1, 2].map(() => new ProgressThrottle(stack.platform.redis, prefix, 60_000));
    expect(await a!.allow('run-1')).toBe(true);
    expect(await b!.allow('run-1')).toBe(false);
    expect(await a!.allow('run-1')).toBe(false);
    expect(await b!.allow('run-2')).toBe(true);
    const open = new ProgressThrottle(stack.platform.redis, prefix, 0);
    expect(await open.allow('run-1')).toBe(true);
  });
});
