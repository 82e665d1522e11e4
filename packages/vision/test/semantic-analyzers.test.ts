import type { RasterImage } from '@pakati/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createSemanticAnalyzers,
  loadNsfwModel,
  runSemanticAnalyzers,
  SEMANTIC_ANALYZER_NAMES,
  type SemanticAnalyzer,
} from '../src/index.ts';
import { photo, rect } from './photos.ts';

describe('createSemanticAnalyzers', () => {
  it('builds the named analyzers in order, each once', () => {
    const analyzers = createSemanticAnalyzers(['moderation', 'object-presence', 'moderation']);
    expect(analyzers.map((a) => a.name)).toEqual(['moderation', 'object-presence']);
    expect(createSemanticAnalyzers(SEMANTIC_ANALYZER_NAMES).map((a) => a.name)).toEqual([
      'object-presence',
      'reference-similarity',
      'moderation',
    ]);
  });

  it('rejects unknown names with BAD_USER_INPUT listing the known ones', () => {
    let error: unknown;
    try {
      createSemanticAnalyzers(['moderation', 'clip', 'aesthetics']);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { unknown: ['clip', 'aesthetics'], known: [...SEMANTIC_ANALYZER_NAMES] },
    });
    expect((error as Error).message).toContain('object-presence, reference-similarity, moderation');
  });

  it('shares one nsfwjs model, loaded once even by concurrent callers', async () => {
    const [a, b] = await Promise.all([loadNsfwModel(), loadNsfwModel()]);
    expect(a).toBe(b);
    expect(await loadNsfwModel()).toBe(a);
  });
});

describe('runSemanticAnalyzers', () => {
  let coffee: RasterImage;
  beforeAll(async () => {
    coffee = await photo('coffee.png');
  });

  const failing: SemanticAnalyzer = {
    name: 'broken',
    analyze: async () => {
      throw new Error('model exploded');
    },
  };

  it('runs every analyzer and turns a failure into a finding without a judgement', async () => {
    const [moderation] = createSemanticAnalyzers(['moderation']);
    const findings = await runSemanticAnalyzers([failing, moderation!], coffee, [
      { id: 'cup', points: rect(165, 21, 245, 238), prompt: 'a cup', references: [] },
    ]);
    expect(findings).toEqual([
      { analyzer: 'broken', regionId: null, score: 0, passed: null, details: { error: 'model exploded' } },
      expect.objectContaining({ analyzer: 'moderation', passed: true }),
    ]);
  });

  it('propagates cancellation instead of recording it', async () => {
    const controller = new AbortController();
    const cancelling: SemanticAnalyzer = {
      name: 'cancelling',
      analyze: async () => {
        controller.abort(new Error('run cancelled'));
        throw new Error('aborted mid-way');
      },
    };
    await expect(runSemanticAnalyzers([cancelling, failing], coffee, [], controller.signal)).rejects.toThrow(
      'run cancelled',
    );
  });
});
