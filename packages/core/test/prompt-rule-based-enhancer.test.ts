import { describe, expect, it } from 'vitest';
import {
  BackendError,
  createRuleBasedEnhancer,
  detectPromptSubject,
  ENHANCEMENT_TERMS,
  MAX_RULE_ADDITION_CHARS,
  PROMPT_SUBJECTS,
  type PromptSubject,
  ruleBasedAdditions,
} from '../src/index.ts';

const enhancer = createRuleBasedEnhancer();
const signal = new AbortController().signal;

async function enhance(prompt: string, negativePrompt?: string | null): Promise<string> {
  const result = await enhancer.enhance(prompt, { signal, negativePrompt });
  expect(result.original).toBe(prompt);
  expect(result.enhancer).toBe('rules');
  expect(result.model).toBeNull();
  return result.enhanced;
}

function lowerWords(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

const SAMPLES: Record<PromptSubject, string[]> = {
  portrait: ['portrait of an old fisherman', 'a young woman smiling', 'Two children playing chess'],
  animal: ['a red fox in the snow', 'kittens sleeping in a basket', 'an eagle mid flight'],
  food: ['a bowl of ramen', 'chocolate cake with strawberries', 'a neapolitan pizza'],
  product: ['a perfume bottle on marble', 'white sneakers', 'wireless headphones'],
  architecture: ['a gothic cathedral', 'a scandinavian living room interior', 'a glass skyscraper'],
  landscape: ['snowy mountains above a lake', 'a quiet beach', 'rolling hills of tuscany'],
  abstract: ['an abstract geometric pattern', 'a fractal spiral', 'seamless tile of hexagons'],
  general: ['a teapot', 'the concept of time', 'a lighthouse keeper radio'],
};

describe('detectPromptSubject', () => {
  for (const subject of PROMPT_SUBJECTS) {
    it.each(SAMPLES[subject])(`reads "%s" as ${subject}`, (prompt) => {
      expect(detectPromptSubject(prompt)).toBe(subject);
    });
  }

  it('lets the subject named first win a tie, and the one named most often win otherwise', () => {
    expect(detectPromptSubject('a cat on a beach')).toBe('animal');
    expect(detectPromptSubject('a beach with a cat')).toBe('landscape');
    expect(detectPromptSubject('a cat between mountains, lakes and forests')).toBe('landscape');
  });
});

describe('rule-based enhancer', () => {
  it('gives landscapes golden hour light and a wide angle', async () => {
    expect(await enhance('snowy mountains above a lake')).toBe(
      'snowy mountains above a lake, golden hour lighting, wide angle, highly detailed, sharp focus, atmospheric perspective, vivid natural colors',
    );
  });

  it('gives portraits studio light, an 85mm lens and a shallow depth of field', async () => {
    const enhanced = await enhance('portrait of an old fisherman');
    expect(
      enhanced.startsWith('portrait of an old fisherman, soft studio lighting, 85mm, shallow depth of field'),
    ).toBe(true);
  });

  it.each([
    ['a red fox in the snow', ['documentary photography', 'telephoto lens', 'fine fur detail']],
    ['a bowl of ramen', ['culinary photography', 'soft window light', 'appetizing presentation']],
    ['a perfume bottle on marble', ['commercial photography', 'soft studio lighting', 'crisp reflections']],
    ['a gothic cathedral', ['architectural photography', 'natural light', 'symmetrical composition']],
    ['an abstract geometric pattern', ['intricate details', 'harmonious color palette']],
    ['a teapot', ['highly detailed', 'sharp focus', 'professional lighting']],
  ])('adds what suits "%s"', async (prompt, expected) => {
    const enhanced = await enhance(prompt);
    expect(enhanced.startsWith(`${prompt}, `)).toBe(true);
    for (const term of expected) expect(enhanced).toContain(term);
  });

  it('keeps the prompt first and verbatim, whatever its case and punctuation', async () => {
    for (const prompt of ['A Majestic LION, resting', 'mountains at dawn.', 'a Cat;']) {
      const enhanced = await enhance(prompt);
      expect(enhanced.startsWith(prompt)).toBe(true);
      expect(enhanced.length).toBeGreaterThan(prompt.length);
    }
    expect(await enhance('mountains.')).toMatch(/^mountains\. golden hour lighting/);
  });

  it('never repeats a word the prompt already has, in any case', async () => {
    const prompt = 'Portrait of a woman, SHARP FOCUS, Highly Detailed, studio';
    const enhanced = await enhance(prompt);
    const added = lowerWords(enhanced.slice(prompt.length));
    expect(added.length).toBeGreaterThan(0);
    const ignored = new Set(['of', 'on', 'the']);
    for (const word of added) {
      if (!ignored.has(word)) expect(lowerWords(prompt), word).not.toContain(word);
    }
    // Nor does it repeat its own words.
    const content = added.filter((w) => !ignored.has(w));
    expect(new Set(content).size).toBe(content.length);
  });

  it('adds no second choice of light, lens or style when the prompt made one', async () => {
    const enhanced = await enhance('portrait of a man at night, 35mm film');
    expect(enhanced).not.toContain('lighting');
    expect(enhanced).not.toContain('85mm');
    expect(enhanced).not.toContain('depth of field');
    expect(await enhance('a red fox, oil painting')).not.toMatch(/photography|telephoto|lens/);
    expect(await enhance('anime portrait of a knight')).not.toMatch(/85mm|depth of field|eyes/);
  });

  it('drops every term with a word the negative prompt uses', async () => {
    const plain = await enhance('snowy mountains above a lake');
    expect(plain).toContain('golden hour lighting');
    expect(plain).toContain('sharp focus');
    const enhanced = await enhance('snowy mountains above a lake', 'golden, Focus, blurry colors');
    expect(enhanced).not.toContain('golden hour lighting');
    expect(enhanced).not.toContain('sharp focus');
    expect(enhanced).not.toContain('vivid natural colors');
    expect(enhanced).toContain('wide angle');
    for (const word of lowerWords(enhanced.slice('snowy mountains above a lake'.length))) {
      expect(['golden', 'focus', 'blurry', 'colors', 'color']).not.toContain(word);
    }
  });

  it('adds nothing to an already enhanced prompt', async () => {
    const prompts = Object.values(SAMPLES).flat();
    prompts.push(
      'portrait of a man at night, 35mm film',
      'A Majestic LION, resting  ',
      'a red fox, oil painting',
    );
    for (const negative of [null, 'blurry, lowres', 'studio, detailed']) {
      for (const prompt of prompts) {
        const once = await enhance(prompt, negative);
        const twice = await enhance(once, negative);
        expect(twice, `${prompt} / ${negative}`).toBe(once);
        expect(ruleBasedAdditions(once, negative)).toEqual([]);
      }
    }
  });

  it('is deterministic', async () => {
    const other = createRuleBasedEnhancer();
    for (const prompt of Object.values(SAMPLES).flat()) {
      const a = await enhance(prompt, 'blurry');
      const b = (await other.enhance(prompt, { signal, negativePrompt: 'blurry' })).enhanced;
      expect(b).toBe(a);
      expect(await enhance(prompt, 'blurry')).toBe(a);
    }
  });

  it('stays within its length budget, so the budget never cuts a list short', async () => {
    for (const subject of PROMPT_SUBJECTS) {
      const all = ENHANCEMENT_TERMS[subject].map((t) => t.text).join(', ');
      expect(all.length + 2, subject).toBeLessThanOrEqual(MAX_RULE_ADDITION_CHARS);
    }
    for (const prompt of Object.values(SAMPLES).flat()) {
      const enhanced = await enhance(prompt);
      expect(enhanced.length - prompt.length).toBeLessThanOrEqual(MAX_RULE_ADDITION_CHARS);
    }
  });

  it('adds terms that name no subject, so enhancing cannot change what the prompt is about', () => {
    for (const subject of PROMPT_SUBJECTS) {
      for (const term of ENHANCEMENT_TERMS[subject])
        expect(detectPromptSubject(term.text), term.text).toBe('general');
    }
  });

  it('leaves an empty prompt alone and honours an aborted signal', async () => {
    expect(await enhance('')).toBe('');
    expect(await enhance('   ')).toBe('   ');
    const controller = new AbortController();
    controller.abort();
    const error = await enhancer.enhance('a cat', { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).kind).toBe('CANCELLED');
  });
});
