import { defineJob, JOB_CONTRACTS } from '@pakati/jobs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildRegistry, defineProcessor, type Processor } from '../src/processor-registry.ts';
import { PROCESSORS } from '../src/worker-host.ts';

const noop = async () => {};
const processorFor = (contract: (typeof JOB_CONTRACTS)[number] | ReturnType<typeof defineJob>): Processor =>
  defineProcessor({ contract, process: noop, onFinalFailure: noop }) as Processor;

describe('job registry start-up check', () => {
  it('accepts the shipped processors: every declared job has exactly one', () => {
    const registry = buildRegistry(JOB_CONTRACTS, PROCESSORS);
    expect([...registry.keys()].sort()).toEqual(JOB_CONTRACTS.map((c) => `${c.queue}/${c.name}`).sort());
  });

  it('refuses a declared job without a processor', () => {
    expect(() => buildRegistry(JOB_CONTRACTS, [])).toThrow(/no processor for generation\/render-region/);
  });

  it('refuses two processors for one job', () => {
    const twice = [processorFor(JOB_CONTRACTS[0]), processorFor(JOB_CONTRACTS[0])];
    expect(() => buildRegistry(JOB_CONTRACTS, twice)).toThrow(/more than one processor/);
  });

  it('refuses a processor for a job nobody declared', () => {
    const stray = processorFor(defineJob('generation', 'mystery', z.object({})));
    expect(() => buildRegistry(JOB_CONTRACTS, [...PROCESSORS, stray])).toThrow(
      /undeclared job generation\/mystery/,
    );
  });
});
