import { describe, expect, it } from 'vitest';
import { parseDevKeyFile, resolveApiUrl } from '../lib/config';
import { newIdempotencyKey } from '../lib/ids';
import {
  defaultRect,
  type ProjectFormValues,
  parseSeed,
  parseWholeNumber,
  rectPoints,
  validateProjectForm,
} from '../lib/project-form';

const valid: ProjectFormValues = {
  name: ' Sunset ',
  width: '512',
  height: '512',
  x: '128',
  y: '128',
  w: '256',
  h: '256',
  prompt: ' a red barn ',
  negativePrompt: '  ',
};

describe('rectangles', () => {
  it('defaults to the centred half-width, half-height rectangle', () => {
    expect(defaultRect(512, 512)).toEqual({ x: 128, y: 128, w: 256, h: 256 });
    expect(defaultRect(768, 512)).toEqual({ x: 192, y: 128, w: 384, h: 256 });
  });

  it('lists the four corners clockwise from the top-left', () => {
    expect(rectPoints({ x: 10, y: 20, w: 30, h: 40 })).toEqual([
      { x: 10, y: 20 },
      { x: 40, y: 20 },
      { x: 40, y: 60 },
      { x: 10, y: 60 },
    ]);
  });
});

describe('validateProjectForm', () => {
  it('parses and trims a valid form', () => {
    const result = validateProjectForm(valid);
    expect(result).toEqual({
      ok: true,
      value: {
        name: 'Sunset',
        width: 512,
        height: 512,
        rect: { x: 128, y: 128, w: 256, h: 256 },
        prompt: 'a red barn',
        negativePrompt: null,
      },
    });
  });

  it('keeps a negative prompt when given', () => {
    const result = validateProjectForm({ ...valid, negativePrompt: 'blurry' });
    expect(result.ok && result.value.negativePrompt).toBe('blurry');
  });

  it('collects every problem', () => {
    const result = validateProjectForm({ ...valid, name: '', width: '0', prompt: ' ', w: '1.5' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual([
        'Name is required.',
        'Width must be a positive whole number.',
        'Region w and h must be positive whole numbers.',
        'Prompt is required.',
      ]);
    }
  });

  it('rejects a region outside the canvas', () => {
    const result = validateProjectForm({ ...valid, x: '400', w: '200' });
    expect(result).toEqual({ ok: false, errors: ['The region must lie inside the canvas.'] });
  });
});

describe('number parsing', () => {
  it('parseWholeNumber accepts only non-negative integers', () => {
    expect(parseWholeNumber(' 42 ')).toBe(42);
    expect(parseWholeNumber('0')).toBe(0);
    expect(parseWholeNumber('-1')).toBeNull();
    expect(parseWholeNumber('1e3')).toBeNull();
    expect(parseWholeNumber('')).toBeNull();
  });

  it('parseSeed: empty is random, invalid is undefined', () => {
    expect(parseSeed('')).toBeNull();
    expect(parseSeed(' 123 ')).toBe(123);
    expect(parseSeed('-5')).toBe(-5);
    expect(parseSeed('abc')).toBeUndefined();
    expect(parseSeed('99999999999')).toBeUndefined();
  });
});

describe('config', () => {
  it('resolves the API URL: runtime, then build time, then default', () => {
    expect(
      resolveApiUrl({ PAKATI_API_URL: 'http://rt/graphql', NEXT_PUBLIC_PAKATI_API_URL: 'http://bt/graphql' }),
    ).toBe('http://rt/graphql');
    expect(resolveApiUrl({ PAKATI_API_URL: ' ', NEXT_PUBLIC_PAKATI_API_URL: 'http://bt/graphql' })).toBe(
      'http://bt/graphql',
    );
    expect(resolveApiUrl({})).toBe('http://127.0.0.1:4000/graphql');
  });

  it('reads the first real line of the dev key file', () => {
    expect(parseDevKeyFile('pk_live_abc\n')).toBe('pk_live_abc');
    expect(parseDevKeyFile('# local key\n\n  pk_abc==  \nother')).toBe('pk_abc==');
    expect(parseDevKeyFile('\n# nothing\n')).toBeNull();
  });
});

describe('newIdempotencyKey', () => {
  it('uses crypto.randomUUID when present', () => {
    expect(
      newIdempotencyKey({
        randomUUID: () => '00000000-0000-4000-8000-000000000000',
        getRandomValues: <T extends ArrayBufferView | null>(a: T) => a,
      }),
    ).toBe('00000000-0000-4000-8000-000000000000');
  });

  it('falls back to a v4-shaped UUID from getRandomValues', () => {
    const key = newIdempotencyKey({
      getRandomValues: <T extends ArrayBufferView | null>(array: T) => {
        if (array instanceof Uint8Array) array.fill(0xff);
        return array;
      },
    });
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(key).not.toBe(newIdempotencyKey());
  });
});
