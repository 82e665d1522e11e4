import type { RasterImage } from '@pakati/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createReferenceSimilarityAnalyzer, loadNsfwModel, type SemanticRegionInput } from '../src/index.ts';
import { photo, rect } from './photos.ts';

interface Details {
  cosines: number[];
  bestReference: number;
  box: { x: number; y: number; width: number; height: number };
}

describe('reference-similarity', () => {
  let coffee: RasterImage;
  let astronaut: RasterImage;
  let rocket: RasterImage;
  let chelsea: RasterImage;
  const analyzer = createReferenceSimilarityAnalyzer();

  beforeAll(async () => {
    [coffee, astronaut, rocket, chelsea] = await Promise.all([
      photo('coffee.png'),
      photo('astronaut.png'),
      photo('rocket.jpg'),
      photo('chelsea.png'),
    ]);
    await loadNsfwModel();
  });

  const cup = (references: RasterImage[]): SemanticRegionInput => ({
    id: 'cup',
    points: rect(165, 21, 245, 238),
    prompt: 'a cup of coffee',
    references,
  });

  it('scores a region higher against the photo it came from than against an unrelated one', async () => {
    const [same] = await analyzer.analyze(coffee, [cup([coffee])]);
    const [unrelated] = await analyzer.analyze(coffee, [cup([rocket])]);
    expect(same).toMatchObject({ analyzer: 'reference-similarity', regionId: 'cup', passed: null });
    expect(same!.score).toBeGreaterThan(unrelated!.score + 0.2);
    expect((same!.details as unknown as Details).box).toEqual({ x: 165, y: 21, width: 245, height: 238 });
  });

  it('picks the best of several references', async () => {
    const region: SemanticRegionInput = {
      id: 'cat',
      points: rect(100, 20, 250, 250),
      prompt: 'a cat',
      references: [rocket, chelsea, astronaut],
    };
    const [finding] = await analyzer.analyze(chelsea, [region]);
    const details = finding!.details as unknown as Details;
    expect(details.cosines).toHaveLength(3);
    expect(details.bestReference).toBe(1);
    expect(finding!.score).toBeGreaterThan(0.5);
  });

  it('gives the same answer from its reference cache', async () => {
    const [first] = await analyzer.analyze(coffee, [cup([coffee, astronaut])]);
    const [second] = await analyzer.analyze(coffee, [cup([coffee, astronaut])]);
    expect(second).toEqual(first);
  });

  it('reports nothing for regions without references', async () => {
    expect(await analyzer.analyze(coffee, [cup([])])).toEqual([]);
  });
});
