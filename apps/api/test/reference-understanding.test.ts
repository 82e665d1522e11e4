import { fileURLToPath } from 'node:url';
import { collect, wsClient } from '@pakati/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  projectWithRegion,
  RUN_EVENTS,
  type RunEventMessage,
  START_RUN,
  type Stack,
  startStack,
  uploadReference,
} from './harness.ts';

const photo = fileURLToPath(new URL('../../../fixtures/photos/coffee.png', import.meta.url));

let stack: Stack;
beforeAll(async () => {
  // Unthrottled, so that every attempt's progress is an event of its own (counted below).
  stack = await startStack({ env: { PAKATI_PROGRESS_INTERVAL_MS: '0' } });
});
afterAll(async () => {
  await stack?.stop();
});

interface UnderstandingData {
  level: number;
  understood: boolean;
  strategies: {
    strategy: string;
    level: number;
    mastery: boolean;
    attempts: { difficulty: number; score: number }[];
  }[];
}

describe('reference understanding', () => {
  it('reconstructs a real photograph under every strategy and difficulty, streaming progress, and keeps levels', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const referenceId = await uploadReference(
      stack,
      projectId,
      await sharp(photo).resize(96).png().toBuffer(),
    );
    const started = await stack.alpha.gql<{ startRun: { run: { id: string } } }>(START_RUN, {
      input: { projectId, kind: 'UNDERSTAND', referenceId, seed: 3 },
    });
    expect(started.errors).toBeUndefined();
    const client = wsClient(stack.api.url, stack.alpha.key);
    const events = (
      await collect<RunEventMessage>(client, RUN_EVENTS, { runId: started.data!.startRun.run.id, after: 0 })
        .done
    ).items.map((m) => m.runEvents);
    await client.dispose();
    expect(events.at(-1)!.type).toBe('COMPLETED');
    expect(events.filter((e) => e.type === 'PROGRESS')).toHaveLength(30);

    const res = await stack.alpha.gql<{ node: { understanding: UnderstandingData } }>(
      `query($id: ID!) { node(id: $id) { ... on Reference { understanding { level understood strategies { strategy level mastery attempts { difficulty score } } } } } }`,
      { id: referenceId },
    );
    const understanding = res.data!.node.understanding;
    expect(understanding.strategies.map((s) => s.strategy).sort()).toEqual(
      ['center-out', 'edges', 'progressive-reveal', 'quadrants', 'random-patches', 'spiral'].sort(),
    );
    for (const s of understanding.strategies) {
      expect(s.attempts.map((a) => a.difficulty)).toEqual([0.1, 0.3, 0.5, 0.7, 0.9]);
      expect(s.level).toBeGreaterThanOrEqual(0);
      expect(s.level).toBeLessThanOrEqual(1);
      expect(s.mastery).toBe(s.level >= 0.85);
    }
    // Across strategies, hiding most of a real photograph makes it harder to rebuild than hiding a little.
    const mean = (i: number) =>
      understanding.strategies.reduce((sum, s) => sum + s.attempts[i]!.score, 0) / 6;
    expect(mean(4)).toBeLessThan(mean(0));
    expect(understanding.understood).toBe(understanding.level >= 0.75);
  });

  it('refuses an UNDERSTAND run without a reference of the project, or with an unknown strategy', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const none = await stack.alpha.gql(START_RUN, { input: { projectId, kind: 'UNDERSTAND' } });
    expect(none.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const referenceId = await uploadReference(
      stack,
      projectId,
      await sharp(photo).resize(64).png().toBuffer(),
    );
    const unknown = await stack.alpha.gql(START_RUN, {
      input: { projectId, kind: 'UNDERSTAND', referenceId, strategies: ['telepathy'] },
    });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const other = await projectWithRegion(stack.alpha.gql);
    const elsewhere = await stack.alpha.gql(START_RUN, {
      input: { projectId: other.projectId, kind: 'UNDERSTAND', referenceId },
    });
    expect(elsewhere.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
