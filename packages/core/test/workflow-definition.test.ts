import { describe, expect, it } from 'vitest';
import { isPakatiError, parseWorkflow, workflowImageSizes, workflowLevels } from '../src/index.ts';

function failure(input: unknown): { code: string; message: string } & Record<string, unknown> {
  try {
    parseWorkflow(input);
  } catch (error) {
    if (isPakatiError(error)) return { code: error.code, message: error.message, ...error.details };
    throw error;
  }
  throw new Error('expected parseWorkflow to throw');
}

const diamond = {
  steps: [
    { id: 'base', kind: 'generate', seed: 7 },
    { id: 'warm', kind: 'adjust', input: 'base', saturation: 1.2 },
    { id: 'check', kind: 'analyze', input: 'base' },
    { id: 'big', kind: 'upscale', input: 'warm', factor: 2, dependsOn: ['check'] },
  ],
};

describe('workflow definitions', () => {
  it('accepts a DAG, fills defaults and finds the single sink as output', () => {
    const workflow = parseWorkflow(diamond);
    expect(workflow.output).toBe('big');
    expect(workflow.steps[0]).toEqual({ id: 'base', kind: 'generate', seed: 7, dependsOn: [] });
  });

  it('orders steps in levels: independent steps share a level, dependents come after all they need', () => {
    expect(workflowLevels(parseWorkflow(diamond))).toEqual([['base'], ['warm', 'check'], ['big']]);
  });

  it('names the cycle', () => {
    const error = failure({
      steps: [
        { id: 'a', kind: 'generate', dependsOn: ['c'] },
        { id: 'b', kind: 'adjust', input: 'a' },
        { id: 'c', kind: 'adjust', input: 'b' },
        { id: 'd', kind: 'upscale', input: 'c', factor: 2 },
      ],
      output: 'd',
    });
    expect(error).toMatchObject({ code: 'INVALID_WORKFLOW', reason: 'CYCLE' });
    expect(error.cycle).toEqual(expect.arrayContaining(['a', 'b', 'c']));
    expect((error.cycle as string[]).at(0)).toBe((error.cycle as string[]).at(-1));
  });

  it.each([
    [{ steps: [] }, 'EMPTY', undefined],
    ['not an object', 'MALFORMED', ''],
    [{ steps: [{ id: 'a', kind: 'teleport' }] }, 'UNKNOWN_STEP_KIND', 'steps.0.kind'],
    [{ steps: [{ id: 'a', kind: 'upscale', input: 'a', factor: 5 }] }, 'INVALID_STEP', 'steps.0.factor'],
    [{ steps: [{ id: 'a', kind: 'generate', strength: 2 }] }, 'INVALID_STEP', 'steps.0'],
    [{ steps: [{ id: 'Bad Id', kind: 'generate' }] }, 'INVALID_STEP', 'steps.0.id'],
    [
      {
        steps: [
          { id: 'a', kind: 'generate' },
          { id: 'a', kind: 'generate' },
        ],
      },
      'DUPLICATE_STEP',
      'steps.1.id',
    ],
    [{ steps: [{ id: 'a', kind: 'adjust', input: 'ghost' }] }, 'UNKNOWN_DEPENDENCY', 'steps.0'],
    [{ steps: [{ id: 'a', kind: 'adjust', input: 'a' }] }, 'SELF_DEPENDENCY', 'steps.0'],
    [
      {
        steps: [
          { id: 'a', kind: 'generate' },
          { id: 'b', kind: 'generate' },
        ],
      },
      'AMBIGUOUS_OUTPUT',
      'output',
    ],
    [{ steps: [{ id: 'a', kind: 'generate' }], output: 'z' }, 'UNKNOWN_OUTPUT', 'output'],
  ])('refuses %j as %s at %s', (input, reason, path) => {
    const error = failure(input);
    expect(error).toMatchObject({ code: 'INVALID_WORKFLOW', reason });
    if (path !== undefined) expect(error.path).toBe(path);
  });

  it('refuses more than 50 steps', () => {
    const steps = Array.from({ length: 51 }, (_, i) => ({ id: `s${i}`, kind: 'generate' }));
    expect(failure({ steps })).toMatchObject({ reason: 'TOO_MANY_STEPS' });
  });
});

describe('workflow image sizes', () => {
  it('follows inputs: generate makes the canvas, upscale multiplies, other steps keep the size', () => {
    const sizes = workflowImageSizes(parseWorkflow(diamond), { width: 100, height: 60 });
    expect(Object.fromEntries(sizes)).toEqual({
      base: { width: 100, height: 60 },
      warm: { width: 100, height: 60 },
      check: { width: 100, height: 60 },
      big: { width: 200, height: 120 },
    });
  });
});
