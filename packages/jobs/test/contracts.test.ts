import { describe, expect, it } from 'vitest';
import { JOB_CONTRACTS, QUEUE_NAMES, renderRunJob } from '../src/index.ts';

describe('job contracts', () => {
  it('declares every job once, on a declared queue', () => {
    const keys = JOB_CONTRACTS.map((c) => `${c.queue}/${c.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const contract of JOB_CONTRACTS) expect(QUEUE_NAMES).toContain(contract.queue);
  });

  it('validates the render-run payload on both sides', () => {
    const runId = '3f9d1c2a-5b6e-4f70-8a91-0c2d3e4f5a6b';
    expect(renderRunJob.schema.parse({ runId })).toEqual({ runId });
    expect(renderRunJob.schema.safeParse({ runId: 'not-a-uuid' }).success).toBe(false);
    expect(renderRunJob.schema.safeParse({}).success).toBe(false);
  });
});
