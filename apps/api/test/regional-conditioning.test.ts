import {
  createProceduralBackend,
  ellipse,
  hashString,
  type ImageBackend,
  type RegionalGenerateParams,
  rectangle,
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

const colourOf = (prompt: string): [number, number, number] => {
  const h = hashString(prompt);
  return [h & 0xff, (h >>> 8) & 0xff, (h >>> 16) & 0xff];
};

/**
 * A backend with regional prompting that paints, for every pixel, the colour of the prompt whose positive mask
 * holds it (grey where none does), and remembers the conditioning it received: what a real regional model is
 * asked to do, made visible.
 */
function maskPainter() {
  const received: RegionalGenerateParams[] = [];
  const base = createProceduralBackend({ name: 'mask-painter' });
  const backend: ImageBackend & { received: RegionalGenerateParams[] } = {
    ...base,
    name: 'mask-painter',
    capabilities: { ...base.capabilities, regionalPrompting: true, costPerImage: 0.01 },
    received,
    async generateRegional(params, ctx) {
      received.push(params);
      ctx.onProgress?.({ step: 1, totalSteps: 2, fraction: 0.5 });
      const data = new Uint8ClampedArray(params.width * params.height * 4);
      for (let i = 0; i < params.width * params.height; i++) {
        const owner = params.regions.filter((r) => r.positiveMask.data[i]! > 0.5).at(-1);
        data.set([...(owner ? colourOf(owner.positive) : ([128, 128, 128] as const)), 255], i * 4);
      }
      return {
        image: { width: params.width, height: params.height, data },
        seed: params.seed,
        model: 'mask-painter',
        modelVersion: '1',
        timings: { totalMs: 1 },
      };
    },
  };
  return backend;
}

let stack: Stack;
const painter = maskPainter();
beforeAll(async () => {
  stack = await startStack({
    backends: (config) => new BackendRegistry(config.backends, BACKEND_FACTORIES, [painter]),
  });
});
afterAll(async () => {
  await stack?.stop();
});

describe('one-pass regional conditioning (auto-negative)', () => {
  it('sends every region masked, with its prompt as a negative outside, and the image follows the masks', async () => {
    const gql = stack.alpha.gql;
    const canvas = { width: 120, height: 80 };
    const project = await gql<{ createProject: { project: { id: string } } }>(CREATE_PROJECT, {
      input: { name: 'Regional', ...canvas },
    });
    const projectId = project.data!.createProject.project.id;
    const regions = [
      { prompt: 'a red barn', points: rectangle(5, 5, 60, 50) },
      { prompt: 'a blue lake', points: ellipse(80, 45, 30, 25) },
    ];
    for (const [zOrder, r] of regions.entries()) {
      await gql(ADD_REGION, { input: { projectId, prompt: r.prompt, points: r.points, feather: 0, zOrder } });
    }
    const started = await gql<{ startRun: { run: { id: string } } }>(START_RUN, {
      input: { projectId, kind: 'GENERATE', seed: 5, regionalConditioning: true },
    });
    expect(started.errors).toBeUndefined();
    const client = wsClient(stack.api.url, stack.alpha.key);
    const result = await collect<RunEventMessage>(client, RUN_EVENTS, {
      runId: started.data!.startRun.run.id,
      after: 0,
    }).done;
    await client.dispose();
    const events = result.items.map((m) => m.runEvents);
    expect(events.at(-1)!.type).toBe('COMPLETED');
    // No per-region jobs ran: the whole canvas was one call.
    expect(events.filter((e) => e.type === 'STEP' && e.status === 'STARTED')).toHaveLength(0);

    const sent = painter.received.at(-1)!;
    expect(sent.regions.map((r) => r.positive)).toEqual(['a red barn', 'a blue lake']);
    expect(sent.regions.map((r) => r.negativeOutside)).toEqual(['a red barn', 'a blue lake']);
    for (const r of sent.regions) {
      expect(r.outsideMask.data.every((v, i) => Math.abs(v - (1 - r.positiveMask.data[i]!)) < 1e-6)).toBe(
        true,
      );
    }

    const png = Buffer.from(await (await fetch(events.at(-1)!.imageUrl!)).arrayBuffer());
    const { data } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [
      ...data.subarray((y * canvas.width + x) * 4, (y * canvas.width + x) * 4 + 3),
    ];
    expect(at(20, 20)).toEqual(colourOf('a red barn'));
    expect(at(85, 50)).toEqual(colourOf('a blue lake'));
    expect(at(115, 5)).toEqual([128, 128, 128]);

    const refused = await gql(START_RUN, {
      input: {
        projectId,
        kind: 'GENERATE',
        regionalConditioning: true,
        baseRunId: started.data!.startRun.run.id,
      },
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
