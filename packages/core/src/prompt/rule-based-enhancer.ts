import { BackendError } from '../backends/backend-error.ts';
import type { PromptEnhancer } from './prompt-enhancer.ts';

export const PROMPT_SUBJECTS = [
  'portrait',
  'animal',
  'food',
  'product',
  'architecture',
  'landscape',
  'abstract',
  'general',
] as const;
export type PromptSubject = (typeof PROMPT_SUBJECTS)[number];

/** The most characters the rule-based enhancer appends, separators included. */
export const MAX_RULE_ADDITION_CHARS = 300;

/** Crude singular forms, applied alike to prompts and our word lists, so 'mountains' counts as 'mountain'. */
function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(?:ss|sh|ch|x)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function words(text: string | null | undefined): string[] {
  return ((text ?? '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map(singular);
}

function wordSet(list: readonly string[]): ReadonlySet<string> {
  return new Set(list.map(singular));
}

/**
 * lighting, lens and style are slots a prompt may already fill; we never add a second, competing choice.
 * Photographic terms make no sense once the prompt asks for a painting, an anime still or a render.
 */
export interface EnhancementTerm {
  text: string;
  slot?: 'lighting' | 'lens' | 'style';
  photographic?: boolean;
}

/**
 * Words that name each subject, compared in singular form. None may appear in the terms below: if an
 * added term could change which subject a prompt is read as, enhancing twice would add a second set.
 */
const SUBJECT_WORDS: Record<Exclude<PromptSubject, 'general'>, readonly string[]> = {
  portrait: [
    'portrait',
    'person',
    'people',
    'man',
    'men',
    'woman',
    'women',
    'boy',
    'girl',
    'child',
    'children',
    'kid',
    'baby',
    'face',
    'selfie',
    'headshot',
    'lady',
    'gentleman',
    'actor',
    'actress',
    'king',
    'queen',
    'warrior',
    'knight',
    'soldier',
    'bride',
    'groom',
    'couple',
    'family',
    'teenager',
    'grandmother',
    'grandfather',
    'businessman',
    'businesswoman',
    'dancer',
    'musician',
  ],
  animal: [
    'animal',
    'wildlife',
    'cat',
    'kitten',
    'dog',
    'puppy',
    'bird',
    'horse',
    'lion',
    'tiger',
    'bear',
    'wolf',
    'fox',
    'deer',
    'elephant',
    'owl',
    'eagle',
    'parrot',
    'fish',
    'rabbit',
    'bunny',
    'squirrel',
    'monkey',
    'panda',
    'giraffe',
    'zebra',
    'butterfly',
    'insect',
    'cow',
    'sheep',
    'pet',
    'dolphin',
    'whale',
    'shark',
    'frog',
    'snake',
    'turtle',
    'hedgehog',
  ],
  food: [
    'food',
    'dish',
    'meal',
    'pizza',
    'burger',
    'sushi',
    'pasta',
    'cake',
    'cupcake',
    'dessert',
    'bread',
    'salad',
    'soup',
    'fruit',
    'coffee',
    'tea',
    'breakfast',
    'lunch',
    'dinner',
    'steak',
    'cookie',
    'chocolate',
    'cheese',
    'noodle',
    'ramen',
    'taco',
    'sandwich',
    'pie',
    'croissant',
    'donut',
    'pancake',
    'cocktail',
    'wine',
    'smoothie',
    'cuisine',
  ],
  product: [
    'product',
    'bottle',
    'watch',
    'shoe',
    'sneaker',
    'phone',
    'smartphone',
    'headphone',
    'perfume',
    'cosmetic',
    'packaging',
    'mug',
    'laptop',
    'handbag',
    'jewelry',
    'necklace',
    'lipstick',
    'gadget',
    'device',
    'furniture',
    'lamp',
    'sunglasses',
    'backpack',
    'skincare',
  ],
  architecture: [
    'architecture',
    'building',
    'house',
    'interior',
    'room',
    'bedroom',
    'kitchen',
    'skyscraper',
    'cathedral',
    'church',
    'temple',
    'castle',
    'palace',
    'bridge',
    'tower',
    'facade',
    'office',
    'apartment',
    'villa',
    'cabin',
    'hall',
    'library',
    'museum',
    'staircase',
    'lobby',
    'cityscape',
    'street',
  ],
  landscape: [
    'landscape',
    'mountain',
    'valley',
    'forest',
    'river',
    'lake',
    'ocean',
    'sea',
    'beach',
    'desert',
    'meadow',
    'waterfall',
    'canyon',
    'hill',
    'sunset',
    'sunrise',
    'sky',
    'cloud',
    'island',
    'coast',
    'glacier',
    'volcano',
    'countryside',
    'nature',
    'jungle',
    'prairie',
    'horizon',
    'fjord',
    'savanna',
    'scenery',
    'vista',
  ],
  abstract: [
    'abstract',
    'pattern',
    'geometric',
    'fractal',
    'texture',
    'gradient',
    'mosaic',
    'kaleidoscope',
    'seamless',
    'tile',
    'swirl',
    'wallpaper',
    'mandala',
    'tessellation',
    'psychedelic',
  ],
};

/** Short enough that every list fits MAX_RULE_ADDITION_CHARS whole, so the limit never cuts a list short. */
export const ENHANCEMENT_TERMS: Readonly<Record<PromptSubject, readonly EnhancementTerm[]>> = {
  portrait: [
    { text: 'soft studio lighting', slot: 'lighting' },
    { text: '85mm', slot: 'lens', photographic: true },
    { text: 'shallow depth of field', slot: 'lens', photographic: true },
    { text: 'sharp focus on the eyes', photographic: true },
    { text: 'natural skin tones' },
    { text: 'highly detailed' },
  ],
  animal: [
    { text: 'documentary photography', slot: 'style', photographic: true },
    { text: 'soft natural light', slot: 'lighting' },
    { text: 'telephoto lens', slot: 'lens', photographic: true },
    { text: 'expressive eyes' },
    { text: 'fine fur detail' },
    { text: 'sharp focus' },
  ],
  food: [
    { text: 'culinary photography', slot: 'style', photographic: true },
    { text: 'soft window light', slot: 'lighting' },
    { text: 'shallow depth of field', slot: 'lens', photographic: true },
    { text: 'appetizing presentation' },
    { text: 'fresh ingredients' },
    { text: 'high resolution' },
  ],
  product: [
    { text: 'commercial photography', slot: 'style', photographic: true },
    { text: 'soft studio lighting', slot: 'lighting' },
    { text: 'clean minimal backdrop' },
    { text: 'crisp reflections' },
    { text: 'sharp focus' },
    { text: 'high resolution' },
  ],
  architecture: [
    { text: 'architectural photography', slot: 'style', photographic: true },
    { text: 'natural light', slot: 'lighting' },
    { text: 'wide angle', slot: 'lens' },
    { text: 'clean lines' },
    { text: 'symmetrical composition' },
    { text: 'highly detailed' },
  ],
  landscape: [
    { text: 'golden hour lighting', slot: 'lighting' },
    { text: 'wide angle', slot: 'lens' },
    { text: 'highly detailed' },
    { text: 'sharp focus' },
    { text: 'atmospheric perspective' },
    { text: 'vivid natural colors' },
  ],
  abstract: [
    { text: 'intricate details' },
    { text: 'harmonious color palette' },
    { text: 'balanced composition' },
    { text: 'crisp edges' },
    { text: 'high resolution' },
  ],
  general: [
    { text: 'highly detailed' },
    { text: 'sharp focus' },
    { text: 'balanced composition' },
    { text: 'professional lighting', slot: 'lighting' },
  ],
};

/** Any of these means the prompt already chose its light (or a time of day, which implies one). */
const LIGHTING_WORDS = wordSet([
  'light',
  'lighting',
  'lit',
  'sunlight',
  'moonlight',
  'candlelight',
  'backlit',
  'backlight',
  'neon',
  'glow',
  'glowing',
  'illuminated',
  'golden',
  'sunset',
  'sunrise',
  'dusk',
  'dawn',
  'twilight',
  'night',
  'midnight',
  'noon',
  'overcast',
  'chiaroscuro',
]);

const LENS_WORDS = wordSet([
  'lens',
  'angle',
  'macro',
  'closeup',
  'close',
  'telephoto',
  'fisheye',
  'panorama',
  'panoramic',
  'aerial',
  'overhead',
  'bokeh',
  'shot',
  'zoom',
  'depth',
]);

const PHOTO_MEDIUM_WORDS = wordSet([
  'photo',
  'photograph',
  'photography',
  'photographic',
  'photorealistic',
  'photoreal',
  'hyperrealistic',
  'realistic',
  'dslr',
  'polaroid',
  'film',
  'analog',
  'cinematic',
  'snapshot',
]);

/** Media a camera cannot produce: lenses and photography styles would contradict them. */
const ART_MEDIUM_WORDS = wordSet([
  'art',
  'artwork',
  'painting',
  'painted',
  'paint',
  'illustration',
  'illustrated',
  'drawing',
  'drawn',
  'sketch',
  'watercolor',
  'watercolour',
  'oil',
  'acrylic',
  'gouache',
  'pastel',
  'charcoal',
  'ink',
  'pencil',
  'crayon',
  'fresco',
  'anime',
  'manga',
  'cartoon',
  'comic',
  'chibi',
  'pixel',
  'vector',
  'lowpoly',
  'render',
  'rendered',
  'rendering',
  '3d',
  'cgi',
  'lineart',
  'doodle',
  'graffiti',
  'mural',
  'engraving',
  'woodcut',
  'lithograph',
  'isometric',
  'claymation',
  'origami',
]);

/** Too common to mean anything: neither a duplicate nor a clash with the negative prompt. */
const STOP_WORDS = wordSet(['a', 'an', 'the', 'of', 'on', 'in', 'and', 'with', 'at', 'to', 'for', 'by']);

function contentWords(text: string): string[] {
  return words(text).filter((w) => !STOP_WORDS.has(w));
}

const SUBJECT_OF_WORD = new Map<string, Exclude<PromptSubject, 'general'>>();
for (const subject of PROMPT_SUBJECTS) {
  if (subject === 'general') continue;
  for (const word of SUBJECT_WORDS[subject]) SUBJECT_OF_WORD.set(singular(word), subject);
}

/**
 * The kind of picture a prompt asks for: the subject named most often wins, ties go to the one named first
 * (prompts lead with their subject), and a prompt naming none is 'general'.
 */
export function detectPromptSubject(prompt: string): PromptSubject {
  const counts = new Map<PromptSubject, { count: number; first: number }>();
  words(prompt).forEach((word, index) => {
    const subject = SUBJECT_OF_WORD.get(word);
    if (!subject) return;
    const seen = counts.get(subject);
    if (seen) seen.count++;
    else counts.set(subject, { count: 1, first: index });
  });
  let best: PromptSubject = 'general';
  let bestCount = 0;
  let bestFirst = Number.POSITIVE_INFINITY;
  for (const [subject, { count, first }] of counts) {
    if (count > bestCount || (count === bestCount && first < bestFirst)) {
      [best, bestCount, bestFirst] = [subject, count, first];
    }
  }
  return best;
}

/**
 * The terms to append, in order. Every decision only ever gets stricter as the prompt gains words, and the
 * terms name no subject, so running this on its own output adds nothing.
 */
export function ruleBasedAdditions(prompt: string, negativePrompt?: string | null): string[] {
  const present = new Set(words(prompt));
  const banned = new Set(contentWords(negativePrompt ?? ''));
  const mentions = (set: ReadonlySet<string>) => [...present].some((w) => set.has(w));
  const artMedium = mentions(ART_MEDIUM_WORDS);
  // Only the user's own words fill a slot: '85mm' and 'shallow depth of field' complement each other.
  const filled = {
    lighting: mentions(LIGHTING_WORDS),
    lens: mentions(LENS_WORDS) || [...present].some((w) => /^\d+mm$/.test(w)),
    style: artMedium || mentions(PHOTO_MEDIUM_WORDS),
  };

  const added: string[] = [];
  let length = 0;
  for (const term of ENHANCEMENT_TERMS[detectPromptSubject(prompt)]) {
    if (term.slot && filled[term.slot]) continue;
    if (term.photographic && artMedium) continue;
    const termWords = contentWords(term.text);
    // One shared word is enough to skip: 'sharp focus' after 'sharp focus on the eyes' only repeats it.
    if (termWords.some((w) => present.has(w) || banned.has(w))) continue;
    const cost = term.text.length + 2;
    if (length + cost > MAX_RULE_ADDITION_CHARS) break;
    added.push(term.text);
    length += cost;
    for (const w of termWords) present.add(w);
  }
  return added;
}

/**
 * Appends the added terms after the prompt, which stays first and untouched but for trailing whitespace.
 * A prompt that already ends in punctuation gets a space rather than a second comma.
 */
export function appendPromptTerms(prompt: string, terms: readonly string[]): string {
  if (terms.length === 0) return prompt;
  const head = prompt.trimEnd();
  const separator = /[,;.:!?]$/.test(head) ? ' ' : ', ';
  return `${head}${separator}${terms.join(', ')}`;
}

/**
 * Offline, deterministic enhancement: reads what kind of picture the prompt asks for and adds the lighting,
 * lens and quality detail that kind usually wants, never repeating the prompt, never adding what the negative
 * prompt rules out.
 */
export function createRuleBasedEnhancer(options: { name?: string } = {}): PromptEnhancer {
  const name = options.name ?? 'rules';
  return {
    name,
    model: null,
    async enhance(prompt, ctx) {
      if (ctx.signal.aborted) throw new BackendError('CANCELLED', name, 'cancelled');
      const additions = prompt.trim() ? ruleBasedAdditions(prompt, ctx.negativePrompt) : [];
      return {
        original: prompt,
        enhanced: appendPromptTerms(prompt, additions),
        enhancer: name,
        model: null,
      };
    },
  };
}
