import { describe, expect, it } from 'vitest';
import { composeRunJob, JOB_CONTRACTS, QUEUE_NAMES, renderRegionJob } from '../src/index.ts';

describe('job contracts', () => {
  it('declares every job once, on a declared queue', () => {
    const keys = JOB_CONTRACTS.map((c) => `${c.queue}/${c.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const contract of JOB_CONTRACTS) expect(QUEUE_NAMES).toContain(contract.queue);
  });

  it('validates the payloads on both sides', () => {
    const runId = '3f9d1c2a-5b6e-4f70-8a91-0c2d3e4f5a6b';
    const regionId = '4f9d1c2a-5b6e-4f70-8a91-0c2d3e4f5a6b';
    expect(composeRunJob.schema.parse({ runId })).toEqual({ runId });
    expect(composeRunJob.schema.safeParse({ runId: 'not-a-uuid' }).success).toBe(false);
    expect(renderRegionJob.schema.parse({ runId, regionId, regionIndex: 2 })).toEqual({
      runId,
      regionId,
      regionIndex: 2,
    });
    expect(renderRegionJob.schema.safeParse({ runId, regionId, regionIndex: -1 }).success).toBe(false);
  });
});
