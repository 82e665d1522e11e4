import { isPakatiError, type RasterImage } from '@pakati/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertContentAllowed,
  createContentModerationAnalyzer,
  loadNsfwModel,
  type SemanticFinding,
} from '../src/index.ts';
import { type PhotoName, photo } from './photos.ts';

const PHOTOS: PhotoName[] = ['astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg'];

describe('moderation', () => {
  const images = new Map<PhotoName, RasterImage>();
  const analyzer = createContentModerationAnalyzer();

  beforeAll(async () => {
    for (const name of PHOTOS) images.set(name, await photo(name));
    await loadNsfwModel();
  });

  it.each(PHOTOS)('passes the safe fixture photo %s', async (name) => {
    const findings = await analyzer.analyze(images.get(name)!, []);
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding).toMatchObject({ analyzer: 'moderation', regionId: null, passed: true });
    expect(finding!.score).toBeGreaterThan(0.9);
    const scores = finding!.details.scores as Record<string, number>;
    expect(Object.keys(scores).sort()).toEqual(['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy']);
    expect(Object.values(scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    expect(() => assertContentAllowed(findings)).not.toThrow();
  });

  it('fails an image at a (deliberately absurd) threshold, and assertContentAllowed blocks it', async () => {
    const strict = createContentModerationAnalyzer({ thresholds: { sexy: 1e-9 } });
    const findings = await strict.analyze(images.get('coffee.png')!, []);
    expect(findings[0]).toMatchObject({ passed: false, details: { exceeded: ['sexy'] } });
    expect(() => assertContentAllowed(findings)).toThrow(
      expect.objectContaining({ code: 'CONTENT_BLOCKED' }),
    );
  });

  it('assertContentAllowed throws CONTENT_BLOCKED with the scores of a failed moderation finding', () => {
    const scores = { Drawing: 0, Hentai: 0.01, Neutral: 0.04, Porn: 0.93, Sexy: 0.02 };
    const failed: SemanticFinding = {
      analyzer: 'moderation',
      regionId: null,
      score: 0.07,
      passed: false,
      details: { scores, exceeded: ['porn'], thresholds: { porn: 0.7, hentai: 0.7, sexy: 0.9 } },
    };
    let error: unknown;
    try {
      assertContentAllowed([{ ...failed, analyzer: 'object-presence', regionId: 'r' }, failed]);
    } catch (caught) {
      error = caught;
    }
    expect(isPakatiError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'CONTENT_BLOCKED', details: { scores, exceeded: ['porn'] } });
    expect((error as Error).message).toContain('porn');
  });

  it('does not block on failed findings of other analyzers, or on moderation without a judgement', () => {
    const finding = (analyzer: string, passed: boolean | null): SemanticFinding => ({
      analyzer,
      regionId: null,
      score: 0,
      passed,
      details: {},
    });
    expect(() =>
      assertContentAllowed([finding('object-presence', false), finding('moderation', null)]),
    ).not.toThrow();
  });

  it('rejects thresholds outside (0, 1]', () => {
    expect(() => createContentModerationAnalyzer({ thresholds: { porn: 1.5 } })).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT' }),
    );
  });
});
