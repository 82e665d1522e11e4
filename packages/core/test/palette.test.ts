import { describe, expect, it } from 'vitest';
import { PATTERNS, promptPalette, type Rgb } from '../src/index.ts';

const isReddish = ([r, g, b]: Rgb): boolean => r > 150 && g < 110 && b < 110;

describe('promptPalette', () => {
  it('maps colour and scene words to anchors', () => {
    const { colors } = promptPalette('a red sunset');
    expect(colors.length).toBeGreaterThanOrEqual(3);
    expect(colors.length).toBeLessThanOrEqual(5);
    expect(colors.some(isReddish)).toBe(true);
    for (const c of colors) {
      for (const channel of c) {
        expect(Number.isInteger(channel)).toBe(true);
        expect(channel).toBeGreaterThanOrEqual(0);
        expect(channel).toBeLessThanOrEqual(255);
      }
    }
  });

  it('removes colours named in the negative prompt', () => {
    const { colors } = promptPalette('a red sunset', 'red');
    expect(colors.length).toBeGreaterThanOrEqual(3);
    expect(colors.some(isReddish)).toBe(false);
  });

  it('falls back to hashed hues when the negative prompt empties the palette', () => {
    const { colors } = promptPalette('red', 'red');
    expect(colors.length).toBeGreaterThanOrEqual(3);
    expect(colors.some(isReddish)).toBe(false);
  });

  it('hashes unknown words into colours deterministically', () => {
    const a = promptPalette('mysterious quantum teapot');
    expect(a).toEqual(promptPalette('Mysterious  QUANTUM teapot!'));
    expect(a.colors.length).toBe(3);
    expect(a).not.toEqual(promptPalette('a cheerful brass trombone'));
    expect(promptPalette('').colors.length).toBeGreaterThanOrEqual(3);
  });

  it('caps the palette at 5 colours', () => {
    expect(promptPalette('red orange yellow green blue purple pink sunset').colors).toHaveLength(5);
  });

  it('picks patterns from words, otherwise from the prompt hash', () => {
    expect(promptPalette('blue stripes').pattern).toBe('stripes');
    expect(promptPalette('calm ocean at dusk').pattern).toBe('waves');
    expect(promptPalette('concentric circles').pattern).toBe('rings');
    expect(promptPalette('a tiled grid').pattern).toBe('checker');
    expect(promptPalette('starry stars').pattern).toBe('dots');
    expect(promptPalette('morning fog').pattern).toBe('noise');
    const hashed = promptPalette('an old lighthouse').pattern;
    expect(PATTERNS).toContain(hashed);
    expect(promptPalette('an old lighthouse').pattern).toBe(hashed);
  });
});
