import { describe, expect, it } from 'vitest';
import {
  ellipse,
  hashString,
  PakatiError,
  type ProceduralImage,
  type ProceduralInput,
  type ProceduralProgress,
  rectangle,
  renderProcedural,
} from '../src/index.ts';

function render(input: ProceduralInput): { image: ProceduralImage; progress: ProceduralProgress[] } {
  const generator = renderProcedural(input);
  const progress: ProceduralProgress[] = [];
  for (;;) {
    const result = generator.next();
    if (result.done) return { image: result.value, progress };
    progress.push(result.value);
  }
}

/** Hashing the bytes keeps failure output small while still comparing every byte. */
function digest(data: Uint8ClampedArray): string {
  let text = '';
  for (let i = 0; i < data.length; i += 4096) text += String.fromCharCode(...data.subarray(i, i + 4096));
  return `${data.length}:${hashString(text).toString(16)}`;
}

function pixel(image: ProceduralImage, x: number, y: number): number[] {
  const i = (y * image.width + x) * 4;
  return Array.from(image.data.subarray(i, i + 4));
}

const base: ProceduralInput = {
  width: 128,
  height: 96,
  seed: 1234,
  regions: [
    { points: rectangle(10, 10, 50, 40), prompt: 'a red sunset', seed: 7, zOrder: 0, featherPx: 4 },
    { points: ellipse(90, 60, 25, 20, 48), prompt: 'blue ocean waves', seed: null, zOrder: 1, featherPx: 2 },
  ],
};

describe('renderProcedural', () => {
  it('produces an opaque RGBA image of the requested size', () => {
    const { image } = render(base);
    expect(image.width).toBe(128);
    expect(image.height).toBe(96);
    expect(image.channels).toBe(4);
    expect(image.data.length).toBe(128 * 96 * 4);
    for (let i = 3; i < image.data.length; i += 4) expect(image.data[i]).toBe(255);
  });

  it('is byte-identical for the same input', () => {
    expect(digest(render(base).image.data)).toBe(digest(render(base).image.data));
    expect(Buffer.from(render(base).image.data).equals(Buffer.from(render(base).image.data))).toBe(true);
  });

  it('changes with the global seed, the region seed and the prompt', () => {
    const reference = digest(render(base).image.data);
    expect(digest(render({ ...base, seed: 1235 }).image.data)).not.toBe(reference);
    const [first, second] = base.regions;
    expect(digest(render({ ...base, regions: [{ ...first!, seed: 8 }, second!] }).image.data)).not.toBe(
      reference,
    );
    expect(
      digest(render({ ...base, regions: [first!, { ...second!, prompt: 'green forest' }] }).image.data),
    ).not.toBe(reference);
  });

  it('paints inside regions and leaves pixels beyond the feather untouched', () => {
    const region = {
      points: rectangle(40, 30, 40, 30),
      prompt: 'yellow stripes',
      seed: 3,
      zOrder: 0,
      featherPx: 5,
    };
    const withRegion = render({ ...base, regions: [region] }).image;
    const background = render({ ...base, regions: [] }).image;
    let insideTotal = 0;
    let insideChanged = 0;
    for (let y = 0; y < base.height; y++) {
      for (let x = 0; x < base.width; x++) {
        const a = pixel(withRegion, x, y);
        const b = pixel(background, x, y);
        const distanceOutside = Math.max(40 - x - 1, x - 80, 30 - y - 1, y - 60);
        if (distanceOutside >= 5) {
          expect(a).toEqual(b);
        } else if (x >= 46 && x < 74 && y >= 36 && y < 54) {
          insideTotal += 1;
          if (a.some((v, c) => v !== b[c])) insideChanged += 1;
        }
      }
    }
    expect(insideTotal).toBeGreaterThan(0);
    expect(insideChanged / insideTotal).toBeGreaterThan(0.95);
  });

  it('stacks regions by zOrder, with ties in array order', () => {
    const square = rectangle(20, 20, 40, 40);
    const red = { points: square, prompt: 'red', seed: 1, zOrder: 0, featherPx: 0 };
    const blue = { points: square, prompt: 'blue', seed: 1, zOrder: 0, featherPx: 0 };
    const blueOnTop = render({ ...base, regions: [red, blue] }).image;
    const redOnTop = render({ ...base, regions: [{ ...red, zOrder: 2 }, blue] }).image;
    const onlyBlue = render({ ...base, regions: [blue] }).image;
    const onlyRed = render({ ...base, regions: [red] }).image;
    expect(digest(blueOnTop.data)).toBe(digest(onlyBlue.data));
    expect(digest(redOnTop.data)).toBe(digest(onlyRed.data));
  });

  it('reports strictly increasing progress ending at 1', () => {
    for (const regions of [[], base.regions]) {
      const { progress } = render({ ...base, regions });
      const totalSteps = 5 + regions.length;
      expect(progress).toHaveLength(totalSteps);
      progress.forEach((p, i) => {
        expect(p.totalSteps).toBe(totalSteps);
        expect(p.step).toBe(i + 1);
        if (i > 0) expect(p.fraction).toBeGreaterThan(progress[i - 1]!.fraction);
      });
      expect(progress.at(-1)!.fraction).toBe(1);
      expect(progress.at(-1)!.label).toBe('finalize');
    }
  });

  it('rejects invalid canvases and inputs', () => {
    const codeOf = (input: ProceduralInput): string => {
      try {
        render(input);
      } catch (error) {
        expect(error).toBeInstanceOf(PakatiError);
        return (error as PakatiError).code;
      }
      return 'no error';
    };
    expect(codeOf({ ...base, width: 0 })).toBe('INVALID_CANVAS');
    expect(codeOf({ ...base, height: 10.5 })).toBe('INVALID_CANVAS');
    expect(codeOf({ ...base, seed: -1 })).toBe('BAD_USER_INPUT');
    expect(
      codeOf({
        ...base,
        regions: [{ points: [{ x: 0, y: 0 }], prompt: 'x', zOrder: 0, featherPx: 0 }],
      }),
    ).toBe('INVALID_POLYGON');
  });

  it('renders a 512x512 canvas with three regions', () => {
    const { image, progress } = render({
      width: 512,
      height: 512,
      seed: 99,
      regions: [
        { points: ellipse(256, 256, 200, 150, 64), prompt: 'clouds in a sky', zOrder: 0, featherPx: 12 },
        {
          points: rectangle(40, 300, 200, 180),
          prompt: 'a checkered gold floor',
          zOrder: 1,
          featherPx: 3,
          seed: 5,
        },
        {
          points: ellipse(380, 120, 90, 90, 32),
          prompt: 'polka dots',
          negativePrompt: 'black',
          zOrder: 2,
          featherPx: 8,
          seed: 11,
        },
      ],
    });
    expect(image.data.length).toBe(512 * 512 * 4);
    expect(progress).toHaveLength(8);
  });
});
