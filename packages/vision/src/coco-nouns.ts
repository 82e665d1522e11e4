/** The 80 COCO classes, spelled as @vladmandic/human's CenterNet labels them. */
// biome-ignore format: a table reads better in rows
export const COCO_LABELS = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light',
  'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow',
  'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee',
  'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard',
  'tennis racket', 'bottle', 'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple',
  'sandwich', 'orange', 'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch',
  'potted plant', 'bed', 'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone',
  'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors', 'teddy bear',
  'hair drier', 'toothbrush',
] as const;
export type CocoLabel = (typeof COCO_LABELS)[number];

/**
 * Everyday words for COCO classes (singular; plurals are derived). Kept small on purpose: each entry is a claim
 * that the detector's class covers the word, and a wrong claim turns into a false "missing object".
 */
// biome-ignore format: a table reads better in rows
export const COCO_SYNONYMS: Readonly<Record<string, CocoLabel>> = {
  people: 'person', man: 'person', men: 'person', woman: 'person', women: 'person', child: 'person',
  children: 'person', kid: 'person', boy: 'person', girl: 'person', astronaut: 'person', human: 'person',
  puppy: 'dog', puppies: 'dog', kitten: 'cat', kitty: 'cat',
  mug: 'cup', sofa: 'couch', plane: 'airplane', aeroplane: 'airplane', bike: 'bicycle', motorbike: 'motorcycle',
  ship: 'boat', television: 'tv', smartphone: 'cell phone', cellphone: 'cell phone', phone: 'cell phone',
  doughnut: 'donut', hotdog: 'hot dog', fridge: 'refrigerator', teddy: 'teddy bear', hydrant: 'fire hydrant',
  table: 'dining table',
};

/** Words that usually mean something COCO has no class for ("a mouse" is more often the animal). */
const NOT_COCO = new Set(['mouse']);

/**
 * Labels that are also common adjectives ("an orange sunset", "a remote island"): their singular form counts as
 * the object only at the end of a phrase, as in "an orange on a plate".
 */
const ADJECTIVE_LIKE = new Set<string>(['orange', 'remote']);
/** Words that end a noun phrase, for ADJECTIVE_LIKE. */
const PHRASE_END = new Set('and or with on in at under over near next beside by of from is are'.split(' '));
/** "no dogs", "without a car": the prompt asks for absence, which presence detection must not demand. */
const NEGATIONS = new Set(['no', 'without', 'not', 'never']);
const NEGATION_REACH = 3;

const VOCABULARY = new Map<string, CocoLabel>([
  ...COCO_LABELS.map((label) => [label, label] as const),
  ...Object.entries(COCO_SYNONYMS),
]);

export interface CocoNoun {
  /** The word(s) as written in the prompt, lower-cased. */
  word: string;
  label: CocoLabel;
}

export interface PromptNouns {
  /** One entry per distinct label, in prompt order; counts ("two dogs") are not checked. */
  nouns: CocoNoun[];
  /** Nouns the prompt negates ("no people"). */
  negated: CocoNoun[];
}

/** The COCO objects a prompt names, by whole words, two-word labels first ("hot dog" is not a dog). */
export function cocoNounsOf(prompt: string): PromptNouns {
  // Punctuation is kept as its own token so a phrase ends there ("an orange, a cup").
  const tokens = prompt.toLowerCase().match(/[a-z]+|[^\sa-z]/g) ?? [];
  const nouns: CocoNoun[] = [];
  const negated: CocoNoun[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const pair = i + 1 < tokens.length ? lookup(`${tokens[i]} ${tokens[i + 1]}`) : undefined;
    const single = pair ? undefined : lookup(tokens[i]!);
    const match = pair ?? single;
    if (!match) continue;
    const end = pair ? i + 1 : i;
    if (single && ADJECTIVE_LIKE.has(single.form) && !endsPhrase(tokens[end + 1])) continue;
    const noun = { word: tokens.slice(i, end + 1).join(' '), label: match.label };
    const target = tokens.slice(Math.max(0, i - NEGATION_REACH), i).some((t) => NEGATIONS.has(t))
      ? negated
      : nouns;
    if (!target.some((n) => n.label === noun.label)) target.push(noun);
    i = end;
  }
  // "a man and no other people": the object asked for wins over its negated mention.
  return { nouns, negated: negated.filter((n) => !nouns.some((m) => m.label === n.label)) };
}

function endsPhrase(next: string | undefined): boolean {
  return next === undefined || !/^[a-z]/.test(next) || PHRASE_END.has(next);
}

/** The label for a word or its plural, and the singular form that matched. */
function lookup(word: string): { label: CocoLabel; form: string } | undefined {
  for (const form of singulars(word)) {
    const label = VOCABULARY.get(form);
    if (label && !NOT_COCO.has(form)) return { label, form };
  }
  return undefined;
}

function singulars(word: string): string[] {
  const forms = [word];
  if (word.endsWith('ies')) forms.push(`${word.slice(0, -3)}y`);
  if (word.endsWith('ves')) forms.push(`${word.slice(0, -3)}fe`, `${word.slice(0, -3)}f`);
  if (word.endsWith('es')) forms.push(word.slice(0, -2));
  if (word.endsWith('s') && !word.endsWith('ss')) forms.push(word.slice(0, -1));
  return forms;
}
