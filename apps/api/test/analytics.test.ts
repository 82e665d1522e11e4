import { BackendError, createProceduralBackend, type ImageBackend } from '@pakati/core';
import { type GenerationStep, GenerationStepSchema, RunSchema } from '@pakati/db';
import { collect, wsClient } from '@pakati/testkit';
import { BACKEND_FACTORIES, BackendRegistry } from '@pakati/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  projectWithRegion,
  RUN_EVENTS,
  type RunEventMessage,
  rawId,
  START_RUN,
  type Stack,
  startStack,
} from './harness.ts';

/** Always fails, as a server that is down would: the selector tries it and fails over away from it. */
function dyingBackend(): ImageBackend {
  return {
    ...createProceduralBackend({ name: 'a-dying' }),
    name: 'a-dying',
    async generate() {
      throw new BackendError('UNAVAILABLE', 'a-dying', '503 Service Unavailable');
    },
  };
}

/** The procedural backend, except that it throws on a doomed prompt, leaving no backend to fail over to. */
function doomingProcedural(): ImageBackend {
  const real = createProceduralBackend();
  return {
    ...real,
    generate(params, ctx) {
      if (params.prompt.includes('doomed')) {
        return Promise.reject(new BackendError('UNAVAILABLE', real.name, '503 Service Unavailable'));
      }
      return real.generate(params, ctx);
    },
  };
}

const ANALYTICS = `query($days: Int) {
  analytics(days: $days) {
    days since total succeeded failed cancelled successRate
    runsPerDay { day total succeeded failed cancelled }
    backends { backend steps failedOver p50DurationMs p95DurationMs estimatedCost }
  }
}`;

interface AnalyticsResult {
  analytics: {
    days: number;
    since: string;
    total: number;
    succeeded: number;
    failed: number;
    cancelled: number;
    successRate: number | null;
    runsPerDay: { day: string; total: number; succeeded: number; failed: number; cancelled: number }[];
    backends: {
      backend: string;
      steps: number;
      failedOver: number;
      p50DurationMs: number | null;
      p95DurationMs: number | null;
      estimatedCost: number | null;
    }[];
  };
}

/** PostgreSQL's percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  return sorted[low]! + (sorted[Math.ceil(rank)]! - sorted[low]!) * (rank - low);
}

const utcMidnight = (date: Date) =>
  new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate())).toISOString();

let stack: Stack;
const runIds: Record<'first' | 'second' | 'cancelled' | 'failed', string> = {
  first: '',
  second: '',
  cancelled: '',
  failed: '',
};

async function startAndFinish(prompt?: string): Promise<{ id: string; last: string }> {
  const { projectId } = await projectWithRegion(stack.alpha.gql, prompt);
  const started = await stack.alpha.gql<{ startRun: { run: { id: string } } }>(START_RUN, {
    input: { projectId, kind: 'GENERATE' },
  });
  expect(started.errors).toBeUndefined();
  const id = started.data!.startRun.run.id;
  const client = wsClient(stack.api.url, stack.alpha.key);
  const result = await collect<RunEventMessage>(client, RUN_EVENTS, { runId: id, after: 0 }).done;
  await client.dispose();
  return { id, last: result.items.at(-1)!.runEvents.type };
}

beforeAll(async () => {
  stack = await startStack({
    env: { PAKATI_BACKEND_MAX_ATTEMPTS: '1' },
    backends: (config) =>
      new BackendRegistry(config.backends, BACKEND_FACTORIES, [dyingBackend(), doomingProcedural()]),
  });
  const first = await startAndFinish();
  const second = await startAndFinish();
  const failed = await startAndFinish('a doomed red sunset over blue sea waves');
  expect([first.last, second.last, failed.last]).toEqual(['COMPLETED', 'COMPLETED', 'FAILED']);
  Object.assign(runIds, { first: first.id, second: second.id, failed: failed.id });

  const queue = stack.platform.queues.queue('generation');
  await queue.pause();
  try {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const started = await stack.alpha.gql<{ startRun: { run: { id: string } } }>(START_RUN, {
      input: { projectId, kind: 'GENERATE' },
    });
    runIds.cancelled = started.data!.startRun.run.id;
    const cancelled = await stack.alpha.gql(`mutation($id: ID!) { cancelRun(id: $id) { run { status } } }`, {
      id: runIds.cancelled,
    });
    expect(cancelled.errors).toBeUndefined();
  } finally {
    await queue.resume();
  }
  // The runs took seconds to make; stamp them all with one instant so a UTC midnight in between cannot split them.
  await stack.platform.orm.em
    .fork()
    .nativeUpdate(RunSchema, { organization: stack.alpha.organizationId }, { createdAt: new Date() });
  // Workers report prices every few seconds; report now rather than wait.
  await stack.platform.backendStatus.report('test-worker', stack.backends!.statuses());
});
afterAll(async () => {
  await stack?.stop();
});

const steps = async (): Promise<GenerationStep[]> => {
  const all = await stack.platform.orm.em.fork().find(GenerationStepSchema, {});
  return all.filter((s) => s.operation !== 'compose');
};

describe('analytics', () => {
  it("counts today's runs by outcome, with a zero entry for every other day of the window", async () => {
    const res = await stack.alpha.gql<AnalyticsResult>(ANALYTICS, { days: 7 });
    expect(res.errors).toBeUndefined();
    const a = res.data!.analytics;
    expect(a).toMatchObject({ days: 7, total: 4, succeeded: 2, failed: 1, cancelled: 1 });
    expect(a.successRate).toBeCloseTo(2 / 3);
    expect(a.runsPerDay).toHaveLength(7);
    const today = utcMidnight(new Date());
    expect(new Date(a.runsPerDay.at(-1)!.day).toISOString()).toBe(today);
    expect(a.runsPerDay.at(-1)).toMatchObject({ total: 4, succeeded: 2, failed: 1, cancelled: 1 });
    expect(a.runsPerDay.slice(0, -1).every((d) => d.total === 0 && d.succeeded === 0)).toBe(true);
    const days = a.runsPerDay.map((d) => new Date(d.day).getTime());
    expect(days.every((d, i) => i === 0 || d - days[i - 1]! === 86_400_000)).toBe(true);
    expect(new Date(a.since).toISOString()).toBe(new Date(days[0]!).toISOString());
  });

  it('gives every backend its steps, failovers, percentiles from the step durations and estimated cost', async () => {
    const res = await stack.alpha.gql<AnalyticsResult>(ANALYTICS, {});
    expect(res.errors).toBeUndefined();
    const a = res.data!.analytics;
    expect(a.days).toBe(30);
    const recorded = await steps();
    const procedural = recorded.filter((s) => s.backend === 'procedural');
    expect(procedural.length).toBeGreaterThanOrEqual(2);
    const byName = Object.fromEntries(a.backends.map((b) => [b.backend, b]));
    expect(Object.keys(byName)).not.toContain('compositor');
    const durations = procedural.map((s) => s.durationMs);
    expect(byName.procedural).toMatchObject({ steps: procedural.length, failedOver: 0 });
    expect(byName.procedural!.p50DurationMs).toBeCloseTo(percentile(durations, 0.5));
    expect(byName.procedural!.p95DurationMs).toBeCloseTo(percentile(durations, 0.95));
    const [model] = (await stack.platform.backendStatus.summaries(['procedural'])).filter(
      (m) => m.name === 'procedural',
    );
    expect(byName.procedural!.estimatedCost).toBeCloseTo(
      procedural.length * model!.capabilities!.costPerImage,
    );
    // The dying backend never produced a step; it shows as the steps that failed over away from it.
    const away = recorded.filter((s) => s.failovers.some((f) => f.backend === 'a-dying')).length;
    expect(away).toBeGreaterThan(0);
    expect(byName['a-dying']).toMatchObject({
      steps: 0,
      failedOver: away,
      p50DurationMs: null,
      estimatedCost: 0,
    });
  });

  it('buckets runs by the UTC day they were created and leaves older ones out of a shorter window', async () => {
    const em = stack.platform.orm.em.fork();
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000);
    await em.execute('update run set created_at = ? where id = ?', [threeDaysAgo, rawId(runIds.first)]);
    const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000);
    await em.execute('update run set created_at = ? where id = ?', [eightDaysAgo, rawId(runIds.failed)]);
    try {
      const week = (await stack.alpha.gql<AnalyticsResult>(ANALYTICS, { days: 7 })).data!.analytics;
      expect(week).toMatchObject({ total: 3, succeeded: 2, failed: 0, cancelled: 1, successRate: 1 });
      const earlier = week.runsPerDay.find(
        (d) => new Date(d.day).toISOString() === utcMidnight(threeDaysAgo),
      );
      expect(earlier).toMatchObject({ total: 1, succeeded: 1 });
      const month = (await stack.alpha.gql<AnalyticsResult>(ANALYTICS, { days: 30 })).data!.analytics;
      expect(month.total).toBe(4);
      expect(
        month.runsPerDay.find((d) => new Date(d.day).toISOString() === utcMidnight(eightDaysAgo)),
      ).toMatchObject({ total: 1, failed: 1 });
    } finally {
      await em.execute('update run set created_at = now() where id in (?, ?)', [
        rawId(runIds.first),
        rawId(runIds.failed),
      ]);
    }
  });

  it("shows another organization none of alpha's runs or steps", async () => {
    const res = await stack.beta.gql<AnalyticsResult>(ANALYTICS, { days: 7 });
    expect(res.errors).toBeUndefined();
    const b = res.data!.analytics;
    expect(b).toMatchObject({
      total: 0,
      succeeded: 0,
      failed: 0,
      cancelled: 0,
      successRate: null,
      backends: [],
    });
    expect(b.runsPerDay).toHaveLength(7);
    expect(b.runsPerDay.every((d) => d.total === 0)).toBe(true);
  });

  it.each([0, 366, -5])('rejects days = %i with BAD_USER_INPUT on the days field', async (days) => {
    const res = await stack.alpha.gql(ANALYTICS, { days });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'days' });
  });
});
