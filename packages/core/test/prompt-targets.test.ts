import { describe, expect, it } from 'vitest';
import { promptTargets } from '../src/index.ts';

describe('prompt targets', () => {
  it('reads tone words as target attributes on the analyzer scale', () => {
    expect(promptTargets('a cup of coffee on a dark table').targets).toEqual({ brightness: 0.26 });
    expect(promptTargets('Vivid, WARM sunset over crisp mountains').targets).toEqual({
      saturation: 0.62,
      warmth: 0.7,
      sharpness: 0.75,
    });
    expect(promptTargets('a foggy morning').targets).toEqual({ contrast: 0.16 });
    expect(promptTargets('black and white portrait').targets).toEqual({ saturation: 0.03 });
  });

  it('takes the longer cue first: "very dark" and "high contrast" are not read as "dark" and "contrast"', () => {
    expect(promptTargets('a very dark alley').targets).toEqual({ brightness: 0.14 });
    expect(promptTargets('high contrast street photo').targets).toEqual({ contrast: 0.55 });
  });

  it('ignores negated cues and contradictions, and prompts without tone words', () => {
    expect(promptTargets('a kitchen, not dark at all').targets).toEqual({});
    expect(promptTargets('a dark room with a bright window').targets).toEqual({});
    expect(promptTargets('a red sunset over blue sea waves').targets).toEqual({ warmth: 0.7 });
    expect(promptTargets('a dog on a sofa').targets).toEqual({});
  });

  it('names the words each target came from, for explanations', () => {
    expect(promptTargets('a dark and moody forest').cues).toEqual([
      { attribute: 'brightness', words: 'dark', level: 0.26 },
      { attribute: 'brightness', words: 'moody', level: 0.26 },
    ]);
  });
});
