import { describe, expect, it } from 'vitest';
import { formatEta, formatQueuePosition, progressPercent } from '../lib/runs/progress-text';
import { apiFieldErrors, DEFAULT_START_RUN_VALUES, validateStartRun } from '../lib/runs/start-run-form';

describe('validateStartRun', () => {
  it('sends only kind for a plain GENERATE, leaving seed and priority to the API', () => {
    expect(validateStartRun('p1', DEFAULT_START_RUN_VALUES)).toEqual({
      ok: true,
      request: { projectId: 'p1', kind: 'GENERATE' },
    });
  });

  it('adds the refinement options for REFINE', () => {
    const result = validateStartRun('p1', {
      ...DEFAULT_START_RUN_VALUES,
      kind: 'REFINE',
      strategy: 'TARGETED',
      maxIterations: '20',
      targetScore: '1',
      seed: '4294967295',
      priority: '10',
    });
    expect(result).toEqual({
      ok: true,
      request: {
        projectId: 'p1',
        kind: 'REFINE',
        strategy: 'TARGETED',
        maxIterations: 20,
        targetScore: 1,
        seed: 4294967295,
        priority: 10,
      },
    });
  });

  it('reports each bad field with BAD_USER_INPUT', () => {
    const result = validateStartRun('p1', {
      ...DEFAULT_START_RUN_VALUES,
      kind: 'REFINE',
      maxIterations: '21',
      targetScore: '0',
      seed: '-1',
      priority: '11',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['maxIterations', 'priority', 'seed', 'targetScore']);
    expect(result.errors.targetScore?.code).toBe('BAD_USER_INPUT');
    expect(
      validateStartRun('p1', { ...DEFAULT_START_RUN_VALUES, kind: 'REFINE', maxIterations: '2.5' }).ok,
    ).toBe(false);
    expect(
      validateStartRun('p1', { ...DEFAULT_START_RUN_VALUES, kind: 'REFINE', targetScore: 'abc' }).ok,
    ).toBe(false);
  });

  it('ignores refinement fields for GENERATE', () => {
    expect(validateStartRun('p1', { ...DEFAULT_START_RUN_VALUES, maxIterations: '99' }).ok).toBe(true);
  });
});

describe('apiFieldErrors', () => {
  it('puts errors with a known field next to it and keeps the rest', () => {
    const { fields, other } = apiFieldErrors([
      {
        message: 'priority must be an integer from 1 to 10',
        code: 'BAD_USER_INPUT',
        extensions: { code: 'BAD_USER_INPUT', field: 'priority' },
      },
      { message: 'Project not found', code: 'NOT_FOUND', extensions: { code: 'NOT_FOUND' } },
      { message: 'weird', code: 'BAD_USER_INPUT', extensions: { field: 'somethingElse' } },
    ]);
    expect(fields).toEqual({
      priority: { code: 'BAD_USER_INPUT', message: 'priority must be an integer from 1 to 10' },
    });
    expect(other.map((e) => e.code)).toEqual(['NOT_FOUND', 'BAD_USER_INPUT']);
  });
});

describe('progress text', () => {
  it('formats percent, ETA and queue position', () => {
    expect(progressPercent(0.996)).toBe(99);
    expect(progressPercent(1)).toBe(100);
    expect(progressPercent(Number.NaN)).toBe(0);
    expect(formatEta(null)).toBeNull();
    expect(formatEta(0.4)).toBe('almost done');
    expect(formatEta(42.4)).toBe('about 42 s left');
    expect(formatEta(185)).toBe('about 3 min 5 s left');
    expect(formatEta(7199)).toBe('about 2 h left');
    expect(formatEta(4500)).toBe('about 1 h 15 min left');
    expect(formatQueuePosition(1)).toBe('1st in queue');
    expect(formatQueuePosition(12)).toBe('12th in queue');
    expect(formatQueuePosition(23)).toBe('23rd in queue');
  });
});
