import { fileURLToPath } from 'node:url';
import { workflowLevelJobId, workflowStepJobId } from '@pakati/jobs';
import { collect, wsClient } from '@pakati/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADD_REGION,
  CREATE_PROJECT,
  RUN_EVENTS,
  type RunEventMessage,
  rawId,
  type Stack,
  startStack,
  uploadReference,
} from './harness.ts';

const photo = fileURLToPath(new URL('../../../fixtures/photos/coffee.png', import.meta.url));

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const SAVE = /* GraphQL */ `
  mutation($input: SaveWorkflowInput!) {
    saveWorkflow(input: $input) { workflow { id name output steps { id kind input dependsOn factor } } }
  }
`;
const START = /* GraphQL */ `
  mutation($input: StartWorkflowInput!) { startWorkflow(input: $input) { run { id kind status } } }
`;
const STEPS = /* GraphQL */ `
  query($id: ID!) {
    run(id: $id) {
      status imageUrl
      workflowSteps { stepId kind status imageUrl width height reportJson }
      steps { regionId operation backend }
    }
  }
`;

interface SaveResult {
  saveWorkflow: { workflow: { id: string; output: string; steps: { id: string }[] } };
}
interface StepState {
  stepId: string;
  kind: string;
  status: string;
  imageUrl: string | null;
  width: number | null;
  height: number | null;
  reportJson: string | null;
}

async function projectWithTwoRegions() {
  const created = await stack.alpha.gql<{ createProject: { project: { id: string } } }>(CREATE_PROJECT, {
    input: { name: 'Pipeline', width: 128, height: 96 },
  });
  const projectId = created.data!.createProject.project.id;
  for (const [prompt, x] of [
    ['a cup of coffee on a dark table', 8],
    ['a pale blue sky', 68],
  ] as const) {
    const added = await stack.alpha.gql(ADD_REGION, {
      input: {
        projectId,
        prompt,
        points: [
          { x, y: 8 },
          { x: x + 52, y: 8 },
          { x: x + 52, y: 88 },
          { x, y: 88 },
        ],
      },
    });
    expect(added.errors).toBeUndefined();
  }
  await uploadReference(stack, projectId, await sharp(photo).resize(96).png().toBuffer());
  return projectId;
}

// base -> (tone, measure) in parallel -> polish (refine) -> big (upscale, also after measure)
const PIPELINE = [
  { id: 'base', kind: 'GENERATE', seed: 5 },
  { id: 'tone', kind: 'ADJUST', input: 'base', saturation: 1.3, sharpen: 1 },
  { id: 'measure', kind: 'ANALYZE', input: 'base' },
  { id: 'polish', kind: 'REFINE', input: 'tone', maxIterations: 2, strategy: 'TARGETED' },
  { id: 'big', kind: 'UPSCALE', input: 'polish', factor: 2, dependsOn: ['measure'] },
];

describe('workflows', () => {
  it('runs a saved DAG level by level, independent steps in one flow, and returns the output step image', async () => {
    const projectId = await projectWithTwoRegions();
    const saved = await stack.alpha.gql<SaveResult>(SAVE, {
      input: { projectId, name: 'pipeline', steps: PIPELINE },
    });
    expect(saved.errors).toBeUndefined();
    expect(saved.data!.saveWorkflow.workflow.output).toBe('big');

    const started = await stack.alpha.gql<{ startWorkflow: { run: { id: string; kind: string } } }>(START, {
      input: { workflowId: saved.data!.saveWorkflow.workflow.id, seed: 9, idempotencyKey: 'pipeline-1' },
    });
    expect(started.errors).toBeUndefined();
    const runId = started.data!.startWorkflow.run.id;
    expect(started.data!.startWorkflow.run.kind).toBe('WORKFLOW');

    const client = wsClient(stack.api.url, stack.alpha.key);
    const events = (await collect<RunEventMessage>(client, RUN_EVENTS, { runId, after: 0 }).done).items.map(
      (m) => m.runEvents,
    );
    await client.dispose();
    const last = events.at(-1)!;
    expect(last.type, JSON.stringify(last)).toBe('COMPLETED');

    // Topological order: every step starts only after everything it depends on has succeeded.
    const log = (await stack.platform.eventLog.loadAfter(rawId(runId), 0)).events
      .filter((e) => e.type === 'STEP')
      .map((e) => ({ seq: e.seq, step: String(e.payload.workflowStep), status: String(e.payload.status) }));
    const seqOf = (step: string, status: string) =>
      log.find((e) => e.step === step && e.status === status)!.seq;
    for (const [step, needs] of Object.entries({
      tone: ['base'],
      measure: ['base'],
      polish: ['tone'],
      big: ['polish', 'measure'],
    })) {
      for (const need of needs) expect(seqOf(step, 'STARTED')).toBeGreaterThan(seqOf(need, 'SUCCEEDED'));
    }
    const res = await stack.alpha.gql<{
      run: { imageUrl: string; workflowSteps: StepState[]; steps: unknown[] };
    }>(STEPS, { id: runId });
    expect(res.errors).toBeUndefined();
    const steps = res.data!.run.workflowSteps;
    expect(steps.map((s) => s.stepId)).toEqual(['base', 'tone', 'measure', 'polish', 'big']);
    expect(steps.every((s) => s.status === 'SUCCEEDED')).toBe(true);
    const byId = Object.fromEntries(steps.map((s) => [s.stepId, s]));
    expect(byId.big).toMatchObject({ width: 256, height: 192 });
    expect(byId.measure!.imageUrl).toBe(byId.base!.imageUrl); // analyze passes its input through
    const measured = JSON.parse(byId.measure!.reportJson!) as { regions: { score: number }[] };
    expect(measured.regions).toHaveLength(2);
    const refined = JSON.parse(byId.polish!.reportJson!) as {
      iterations: number;
      bestScore: number;
      baselineScore: number;
    };
    expect(refined.iterations).toBeGreaterThan(0);
    expect(refined.bestScore).toBeGreaterThanOrEqual(refined.baselineScore);

    const result = await fetch(res.data!.run.imageUrl);
    const meta = await sharp(Buffer.from(await result.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([256, 192]);
    // Both regions were generated once, by the generate step, and kept in history.
    expect(res.data!.run.steps.length).toBeGreaterThanOrEqual(2);

    // tone and measure were children of one flow (level 1): they could run side by side.
    const level1 = await stack.platform.queues
      .queue('refinement')
      .getJob(workflowLevelJobId(rawId(runId), 1));
    const children = await level1!.getDependencies();
    const childIds = Object.keys(children.processed ?? {}).map((k) => k.split(':').at(-1));
    expect(childIds.sort()).toEqual(
      [workflowStepJobId(rawId(runId), 'measure'), workflowStepJobId(rawId(runId), 'tone')].sort(),
    );

    // The same idempotency key gives back the same run.
    const again = await stack.alpha.gql<{ startWorkflow: { run: { id: string } } }>(START, {
      input: { workflowId: saved.data!.saveWorkflow.workflow.id, seed: 9, idempotencyKey: 'pipeline-1' },
    });
    expect(again.data!.startWorkflow.run.id).toBe(runId);
  });

  it.each([
    [
      'a cycle',
      [
        { id: 'a', kind: 'ADJUST', input: 'b' },
        { id: 'b', kind: 'ADJUST', input: 'a' },
      ],
      'CYCLE',
    ],
    [
      'an unknown dependency',
      [
        { id: 'a', kind: 'GENERATE' },
        { id: 'b', kind: 'ADJUST', input: 'a', dependsOn: ['ghost'] },
      ],
      'UNKNOWN_DEPENDENCY',
    ],
    ['a parameter of another kind', [{ id: 'a', kind: 'GENERATE', factor: 2 }], 'INVALID_STEP'],
    [
      'an image beyond the canvas limits',
      [
        { id: 'a', kind: 'GENERATE' },
        { id: 'b', kind: 'UPSCALE', input: 'a', factor: 8 },
        { id: 'c', kind: 'UPSCALE', input: 'b', factor: 8 },
      ],
      null,
    ],
  ])('refuses %s with a typed error and stores nothing', async (_name, steps, reason) => {
    const projectId = await projectWithTwoRegions();
    const res = await stack.alpha.gql<SaveResult>(SAVE, { input: { projectId, name: 'broken', steps } });
    const error = res.errors?.[0] as { extensions?: { code?: string; reason?: string } } | undefined;
    if (reason) expect(error?.extensions).toMatchObject({ code: 'INVALID_WORKFLOW', reason });
    else expect(error?.extensions?.code).toBe('CANVAS_TOO_LARGE');
    const list = await stack.alpha.gql<{ project: { workflows: { edges: unknown[] } } }>(
      `query($id: ID!) { project(id: $id) { workflows(first: 5) { edges { node { id } } } } }`,
      { id: projectId },
    );
    expect(list.data!.project.workflows.edges).toHaveLength(0);
  });

  it('keeps workflows to their organization: another tenant can neither see nor start one', async () => {
    const projectId = await projectWithTwoRegions();
    const saved = await stack.alpha.gql<SaveResult>(SAVE, {
      input: { projectId, name: 'private', steps: [{ id: 'only', kind: 'GENERATE' }] },
    });
    const workflowId = saved.data!.saveWorkflow.workflow.id;
    const start = await stack.beta.gql(START, { input: { workflowId } });
    expect((start.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code).toBe(
      'NOT_FOUND',
    );
    const node = await stack.beta.gql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, {
      id: workflowId,
    });
    expect(node.data?.node).toBeNull();
  });
});
