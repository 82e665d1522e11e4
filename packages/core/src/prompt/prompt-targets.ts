import type { DeltaAttribute, TargetAttributes } from '../analysis/delta.ts';

/** A word of the prompt that asks for a tone, and the attribute level it asks for (on the analyzer's 0..1 scale). */
export interface PromptCue {
  attribute: DeltaAttribute;
  words: string;
  level: number;
}

/**
 * Words that name a tone, with the level each asks for on the scale the analyzer measures: brightness is mean L*
 * divided by 100 (a typical photograph about 0.45), contrast the L* deviation divided by 50 (about 0.35), saturation
 * the mean HSV saturation, warmth 0.5 for neutral, sharpness the calibrated Laplacian deviation. Multi-word cues come
 * first so "high contrast" is not read as "contrast".
 */
const LEXICON: readonly { pattern: RegExp; attribute: DeltaAttribute; level: number }[] = [
  { pattern: /\b(?:pitch[- ]black|very dark|low[- ]key)\b/, attribute: 'brightness', level: 0.14 },
  {
    pattern: /\b(?:dark|dim|dimly lit|night|nighttime|gloomy|shadowy|moody)\b/,
    attribute: 'brightness',
    level: 0.26,
  },
  { pattern: /\b(?:very bright|high[- ]key|overexposed)\b/, attribute: 'brightness', level: 0.82 },
  {
    pattern: /\b(?:bright|sunny|sunlit|luminous|well[- ]lit|daylight)\b/,
    attribute: 'brightness',
    level: 0.68,
  },
  { pattern: /\b(?:high[- ]contrast|dramatic lighting|punchy)\b/, attribute: 'contrast', level: 0.55 },
  { pattern: /\b(?:low[- ]contrast|flat lighting|hazy|foggy|misty)\b/, attribute: 'contrast', level: 0.16 },
  {
    pattern: /\b(?:black and white|black-and-white|monochrome|grayscale|greyscale)\b/,
    attribute: 'saturation',
    level: 0.03,
  },
  { pattern: /\b(?:vivid|vibrant|saturated|colou?rful)\b/, attribute: 'saturation', level: 0.62 },
  {
    pattern: /\b(?:muted|desaturated|pastel|washed[- ]out|faded|pale)\b/,
    attribute: 'saturation',
    level: 0.18,
  },
  { pattern: /\b(?:warm|golden|golden hour|amber|sunset)\b/, attribute: 'warmth', level: 0.7 },
  { pattern: /\b(?:cool|cold|icy|wintry|blue hour)\b/, attribute: 'warmth', level: 0.32 },
  { pattern: /\b(?:sharp|crisp|detailed|in focus|tack sharp)\b/, attribute: 'sharpness', level: 0.75 },
  { pattern: /\b(?:soft|blurry|blurred|dreamy|out of focus|bokeh)\b/, attribute: 'sharpness', level: 0.25 },
];

const NEGATION = /\b(?:not|no|without|non|never)[- ]+(?:too |very |so )?$/;

/**
 * The tone a region's prompt asks for, as target attributes for the delta analysis: "a coffee cup on a dark table"
 * asks for low brightness whatever the references say. A cue preceded by a negation ("not dark") is ignored, and
 * an attribute asked for both ways ("dark ... bright") is left to the references. Only the prompt counts: a
 * negative prompt says what to avoid, not where to go.
 */
export function promptTargets(prompt: string): { targets: TargetAttributes; cues: PromptCue[] } {
  const text = prompt.toLowerCase().replace(/\s+/g, ' ');
  const found = new Map<DeltaAttribute, PromptCue[]>();
  const taken: [number, number][] = [];
  for (const { pattern, attribute, level } of LEXICON) {
    for (const match of text.matchAll(new RegExp(pattern.source, 'g'))) {
      const start = match.index;
      const end = start + match[0].length;
      if (taken.some(([a, b]) => start < b && end > a)) continue;
      taken.push([start, end]);
      if (NEGATION.test(text.slice(Math.max(0, start - 16), start))) continue;
      found.set(attribute, [...(found.get(attribute) ?? []), { attribute, words: match[0], level }]);
    }
  }
  const targets: TargetAttributes = {};
  const cues: PromptCue[] = [];
  for (const [attribute, list] of found) {
    const levels = list.map((c) => c.level);
    const spread = Math.max(...levels) - Math.min(...levels);
    if (spread > 0.3) continue; // asked for both ways: contradictory, so no target
    targets[attribute] = levels.reduce((a, b) => a + b, 0) / levels.length;
    cues.push(...list);
  }
  return { targets, cues };
}
