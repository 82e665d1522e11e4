import { fileURLToPath } from 'node:url';
import { collect, wsClient } from '@pakati/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADD_REGION, CREATE_PROJECT, START_RUN, type Stack, startStack, uploadReference } from './harness.ts';

const photo = (name: string) => fileURLToPath(new URL(`../../../fixtures/photos/${name}`, import.meta.url));

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function project(regions: { prompt: string; x: number }[]) {
  const created = await stack.alpha.gql<{ createProject: { project: { id: string } } }>(CREATE_PROJECT, {
    input: { name: 'Refine', width: 192, height: 96 },
  });
  const projectId = created.data!.createProject.project.id;
  const ids: string[] = [];
  for (const r of regions) {
    const added = await stack.alpha.gql<{ addRegion: { region: { id: string } } }>(ADD_REGION, {
      input: {
        projectId,
        prompt: r.prompt,
        points: [
          { x: r.x, y: 8 },
          { x: r.x + 80, y: 8 },
          { x: r.x + 80, y: 88 },
          { x: r.x, y: 88 },
        ],
      },
    });
    ids.push(added.data!.addRegion.region.id);
  }
  return { projectId, regionIds: ids };
}

const EVENTS = /* GraphQL */ `
  subscription Events($runId: ID!) {
    runEvents(runId: $runId, after: 0) {
      __typename type
      ... on RunIterationEvent { iteration accepted rejection score bestScore bestIteration kernel thumbnailUrl regions { regionId score attributeDelta } }
      ... on RunCompletedEvent { imageUrl }
      ... on RunFailedEvent { error { code message } }
    }
  }
`;

interface IterationEvent {
  __typename: string;
  type: string;
  iteration: number;
  accepted: boolean;
  score: number;
  bestScore: number;
  kernel: string;
  thumbnailUrl: string;
  regions: { regionId: string; score: number; attributeDelta: number }[];
  error?: { code: string };
}

const ITERATIONS = /* GraphQL */ `
  query($id: ID!) {
    run(id: $id) {
      status
      iterations(first: 30) {
        edges {
          node {
            index status score bestScore rejection
            regions { regionId score attributeDelta hashDistance deltas { name value } }
            recommendations { regionId output value firedRules { line text degree } }
            actions { regionId kind parameters applied }
            evidence { regionId output value firedRules { text } inputs { name value } referenceIds analysis { kernel iteration cacheHit } }
          }
        }
      }
    }
  }
`;

interface IterationNode {
  index: number;
  status: string;
  score: number;
  bestScore: number;
  regions: { regionId: string; score: number; attributeDelta: number; hashDistance: number }[];
  recommendations: { regionId: string; output: string; firedRules: { text: string; degree: number }[] }[];
  actions: { kind: string; applied: boolean | null }[];
  evidence: {
    output: string;
    firedRules: { text: string }[];
    inputs: { name: string; value: number | null }[];
    referenceIds: string[];
    analysis: { kernel: string; iteration: number };
  }[];
}

describe('REFINE runs', () => {
  it('refines regions toward real photographs, one event per iteration, never worse, every action explained', async () => {
    const { projectId, regionIds } = await project([
      { prompt: 'a pale blue sky with soft clouds', x: 8 },
      { prompt: 'a cup of coffee on a dark table', x: 104 },
    ]);
    const coffee = await uploadReference(
      stack,
      projectId,
      await sharp(photo('coffee.png')).resize(96).png().toBuffer(),
      regionIds[1]!,
    );
    const rocket = await uploadReference(
      stack,
      projectId,
      await sharp(photo('rocket.jpg')).resize(96).png().toBuffer(),
    );
    const started = await stack.alpha.gql<{ startRun: { run: { id: string } } }>(START_RUN, {
      input: {
        projectId,
        kind: 'REFINE',
        strategy: 'ADAPTIVE',
        maxIterations: 3,
        targetScore: 0.99,
        seed: 11,
      },
    });
    expect(started.errors).toBeUndefined();
    const runId = started.data!.startRun.run.id;
    const client = wsClient(stack.api.url, stack.alpha.key);
    const events = (await collect<{ runEvents: IterationEvent }>(client, EVENTS, { runId }).done).items.map(
      (m) => m.runEvents,
    );
    await client.dispose();
    expect(events.at(-1)!.type, JSON.stringify(events.at(-1))).toBe('COMPLETED');

    const iterations = events.filter((e) => e.type === 'ITERATION');
    expect(iterations.map((e) => e.iteration)).toEqual(iterations.map((_, i) => i));
    expect(iterations.length).toBeGreaterThanOrEqual(2);
    expect(iterations[0]!.accepted).toBe(true);
    for (const e of iterations) {
      expect(e.__typename).toBe('RunIterationEvent');
      expect(e.kernel).toBe('sharp');
      expect(e.regions).toHaveLength(2);
      const thumb = await fetch(e.thumbnailUrl);
      expect(thumb.status).toBe(200);
      const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
      expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(256);
    }
    // Never worse: the best score only rises, and it is the best accepted score.
    for (let i = 1; i < iterations.length; i++) {
      expect(iterations[i]!.bestScore).toBeGreaterThanOrEqual(iterations[i - 1]!.bestScore);
    }
    const baseline = iterations[0]!;
    const final = iterations.at(-1)!;
    expect(final.bestScore).toBeGreaterThan(baseline.score + 0.02);

    const res = await stack.alpha.gql<{
      run: { status: string; iterations: { edges: { node: IterationNode }[] } };
    }>(ITERATIONS, { id: runId });
    expect(res.errors).toBeUndefined();
    const nodes = res.data!.run.iterations.edges.map((e) => e.node);
    expect(nodes.map((n) => n.index)).toEqual(iterations.map((e) => e.iteration));
    const accepted = nodes.filter((n) => n.status === 'ACCEPTED');
    // Accepted iterations lower the mean per-region delta (1 - score) monotonically; the attribute deltas
    // (colour, tone, sharpness, texture) end measurably lower than the baseline's.
    const meanDelta = (n: IterationNode) =>
      n.regions.reduce((s, r) => s + (1 - r.score), 0) / n.regions.length;
    for (let i = 1; i < accepted.length; i++) {
      expect(meanDelta(accepted[i]!)).toBeLessThanOrEqual(meanDelta(accepted[i - 1]!) + 1e-9);
    }
    const attributes = (n: IterationNode) =>
      n.regions.reduce((s, r) => s + r.attributeDelta, 0) / n.regions.length;
    expect(attributes(accepted.at(-1)!)).toBeLessThan(attributes(nodes[0]!) * 0.8);
    for (const n of nodes) for (const r of n.regions) expect(r.hashDistance).toBeGreaterThan(10);

    for (const n of nodes.slice(1)) {
      expect(n.actions.length).toBeGreaterThan(0);
      expect(n.recommendations.length).toBeGreaterThan(0);
      for (const r of n.recommendations) {
        expect(r.firedRules.length).toBeGreaterThan(0);
        expect(r.firedRules[0]!.text).toMatch(/^IF /);
      }
      // Each recommendation is backed by evidence: the rules, the measured inputs, and the analysis they came from.
      expect(n.evidence).toHaveLength(n.recommendations.length);
      for (const e of n.evidence) {
        expect(e.analysis.kernel).toBe('sharp');
        expect(e.analysis.iteration).toBeLessThan(n.index);
        expect(e.inputs.find((i) => i.name === 'satisfaction')).toBeDefined();
        expect(e.referenceIds.length).toBeGreaterThan(0);
      }
    }
    // The coffee region weighs its own reference and the project-wide one.
    const coffeeEvidence = nodes[1]!.evidence.filter((e) => e.referenceIds.length === 2);
    expect(coffeeEvidence.length).toBeGreaterThan(0);
    expect(coffeeEvidence[0]!.referenceIds.sort()).toEqual([coffee, rocket].sort());
  });

  it('cancels a refinement between iterations: nothing runs after the CANCELLED event', async () => {
    const { projectId } = await project([{ prompt: 'a striped tabby cat', x: 8 }]);
    await uploadReference(stack, projectId, await sharp(photo('chelsea.png')).resize(96).png().toBuffer());
    const started = await stack.alpha.gql<{ startRun: { run: { id: string } } }>(START_RUN, {
      input: {
        projectId,
        kind: 'REFINE',
        strategy: 'CONSERVATIVE',
        maxIterations: 20,
        targetScore: 1,
        seed: 5,
      },
    });
    const runId = started.data!.startRun.run.id;
    const client = wsClient(stack.api.url, stack.alpha.key);
    const live = collect<{ runEvents: IterationEvent }>(client, EVENTS, { runId });
    while (!live.items.some((m) => m.runEvents.type === 'ITERATION'))
      await new Promise((r) => setTimeout(r, 20));
    const cancel = await stack.alpha.gql(`mutation($id: ID!) { cancelRun(id: $id) { run { status } } }`, {
      id: runId,
    });
    expect(cancel.errors).toBeUndefined();
    const events = (await live.done).items.map((m) => m.runEvents);
    await client.dispose();
    expect(events.at(-1)!.type).toBe('CANCELLED');
    const run = await stack.alpha.gql<{ run: { status: string } }>(
      `query($id: ID!) { run(id: $id) { status } }`,
      {
        id: runId,
      },
    );
    expect(run.data!.run.status).toBe('CANCELLED');
    const before = events.filter((e) => e.type === 'ITERATION').length;
    expect(before).toBeLessThan(21);
    // Jobs already queued find the run cancelled and do nothing; no event is ever appended after the terminal one.
    await new Promise((r) => setTimeout(r, 1500));
    const again = wsClient(stack.api.url, stack.alpha.key);
    const replay = await collect<{ runEvents: IterationEvent }>(again, EVENTS, { runId }).done;
    await again.dispose();
    expect(replay.items.map((m) => m.runEvents.type)).toEqual(events.map((e) => e.type));
  });

  it('refuses a refinement without regions or references, or with bad settings, before anything is queued', async () => {
    const empty = await project([]);
    const noRegions = await stack.alpha.gql(START_RUN, {
      input: { projectId: empty.projectId, kind: 'REFINE' },
    });
    expect(noRegions.errors?.[0]?.extensions?.code).toBe('PRECONDITION_FAILED');
    const bare = await project([{ prompt: 'a red door', x: 8 }]);
    const noRefs = await stack.alpha.gql(START_RUN, { input: { projectId: bare.projectId, kind: 'REFINE' } });
    expect(noRefs.errors?.[0]?.extensions?.code).toBe('PRECONDITION_FAILED');
    expect(noRefs.errors?.[0]?.message).toMatch(/reference/);
    await uploadReference(
      stack,
      bare.projectId,
      await sharp(photo('chelsea.png')).resize(64).png().toBuffer(),
    );
    for (const bad of [{ maxIterations: 0 }, { maxIterations: 21 }, { targetScore: 1.5 }]) {
      const res = await stack.alpha.gql(START_RUN, {
        input: { projectId: bare.projectId, kind: 'REFINE', ...bad },
      });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const runs = await stack.alpha.gql<{ node: { runs: { edges: unknown[] } } }>(
      `query($id: ID!) { node(id: $id) { ... on Project { runs(first: 5) { edges { cursor } } } } }`,
      { id: bare.projectId },
    );
    expect(runs.data!.node.runs.edges).toHaveLength(0);
  });
});
