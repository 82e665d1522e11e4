import type { RasterImage } from '@pakati/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createObjectPresenceAnalyzer,
  insideFraction,
  loadObjectDetector,
  type ObjectDetector,
  type SemanticRegionInput,
} from '../src/index.ts';
import { photo, rect } from './photos.ts';

// What CenterNet sees in the 512x512 astronaut photo (printed while writing this test): 'person' 0.6 with box
// (8, 9, 361x503), and a few things at 0.1-0.16 (motorcycle, bottle, tie, two more persons). No dog anywhere.
const PERSON = rect(0, 0, 380, 512);
const EMPTY_CORNER = rect(400, 0, 112, 110);

const region = (id: string, points: SemanticRegionInput['points'], prompt: string): SemanticRegionInput => ({
  id,
  points,
  prompt,
  references: [],
});

describe('object-presence', () => {
  let astronaut: RasterImage;
  let coffee: RasterImage;
  let detections = 0;
  // The real detector, counted: analyze must run it once per image whatever the number of regions.
  const counted = async (): Promise<ObjectDetector> => {
    const real = await loadObjectDetector();
    return {
      detect: (image) => {
        detections++;
        return real.detect(image);
      },
    };
  };
  const analyzer = createObjectPresenceAnalyzer({ detector: counted });

  beforeAll(async () => {
    [astronaut, coffee] = await Promise.all([photo('astronaut.png'), photo('coffee.png')]);
    await loadObjectDetector();
  });

  it('finds the astronaut in the region around her, and nothing named in an empty corner', async () => {
    detections = 0;
    const findings = await analyzer.analyze(astronaut, [
      region('person', PERSON, 'an astronaut in a white suit'),
      region('corner-dog', EMPTY_CORNER, 'a dog'),
      region('corner-person', EMPTY_CORNER, 'a person'),
    ]);
    expect(detections).toBe(1);
    const [person, cornerDog, cornerPerson] = findings;

    expect(person).toMatchObject({ analyzer: 'object-presence', regionId: 'person', passed: true, score: 1 });
    const [noun] = person!.details.nouns as { word: string; label: string; found: boolean; score: number }[];
    expect(noun).toMatchObject({ word: 'astronaut', label: 'person', found: true });
    expect(noun!.score).toBeGreaterThanOrEqual(0.5);

    expect(cornerDog).toMatchObject({ regionId: 'corner-dog', passed: false, score: 0 });
    // The person is in the photo, just not in this region.
    expect(cornerPerson).toMatchObject({ regionId: 'corner-person', passed: false, score: 0 });
  });

  it('scores a region by the share of its named objects found', async () => {
    const [finding] = await analyzer.analyze(astronaut, [region('r', PERSON, 'an astronaut holding a cup')]);
    expect(finding).toMatchObject({ passed: false, score: 0.5 });
    const nouns = finding!.details.nouns as { label: string; found: boolean }[];
    expect(nouns.map((n) => [n.label, n.found])).toEqual([
      ['person', true],
      ['cup', false],
    ]);
  });

  it('counts a synonym ("mug") as its COCO class', async () => {
    const [finding] = await analyzer.analyze(coffee, [
      region('cup', rect(140, 0, 300, 280), 'a mug of coffee'),
    ]);
    expect(finding).toMatchObject({ passed: true, score: 1 });
    expect(finding!.details.detections).toEqual(
      expect.arrayContaining([expect.objectContaining({ label: 'cup', inside: 1 })]),
    );
  });

  it('makes no judgement on a prompt that names no COCO object, without running the detector', async () => {
    detections = 0;
    const [finding] = await analyzer.analyze(astronaut, [region('sky', PERSON, 'a starry night sky')]);
    expect(detections).toBe(0);
    expect(finding).toMatchObject({ regionId: 'sky', passed: null, score: 0 });
    expect(finding!.details.reason).toMatch(/names no object/);
  });

  it('measures how much of a box lies inside the polygon', () => {
    const box = { x: 10, y: 10, width: 20, height: 10 };
    expect(insideFraction(box, rect(0, 0, 100, 100))).toBeCloseTo(1, 5);
    expect(insideFraction(box, rect(20, 0, 100, 100))).toBeCloseTo(0.5, 5);
    expect(insideFraction(box, rect(50, 50, 10, 10))).toBe(0);
    // A triangle through the box's diagonal covers half of it.
    const triangle = [
      { x: 10, y: 10 },
      { x: 30, y: 10 },
      { x: 30, y: 20 },
    ];
    expect(insideFraction(box, triangle)).toBeCloseTo(0.5, 2);
  });

  it('honours the abort signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(
      analyzer.analyze(astronaut, [region('r', PERSON, 'a person')], controller.signal),
    ).rejects.toThrow('cancelled');
  });
});
