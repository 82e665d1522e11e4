import { describe, expect, it } from 'vitest';
import { cocoNounsOf } from '../src/index.ts';

const labels = (prompt: string) => cocoNounsOf(prompt).nouns.map((n) => n.label);

describe('cocoNounsOf', () => {
  it('finds COCO classes by whole word, singular or plural', () => {
    expect(labels('Two dogs and a cat on a bench')).toEqual(['dog', 'cat', 'bench']);
    expect(labels('buses, knives and cherries')).toEqual(['bus', 'knife']);
    expect(labels('a doghouse in the catacombs')).toEqual([]);
  });

  it('maps the synonym table onto classes, once per class', () => {
    expect(labels('an astronaut')).toEqual(['person']);
    expect(labels('a man and a woman with puppies')).toEqual(['person', 'dog']);
    expect(cocoNounsOf('a steaming mug').nouns).toEqual([{ word: 'mug', label: 'cup' }]);
  });

  it('prefers two-word labels', () => {
    expect(labels('a hot dog next to a wine glass')).toEqual(['hot dog', 'wine glass']);
    expect(labels('traffic lights at dusk')).toEqual(['traffic light']);
  });

  it('does not demand what the prompt negates', () => {
    const { nouns, negated } = cocoNounsOf('an empty street with no cars, a bicycle');
    expect(nouns.map((n) => n.label)).toEqual(['bicycle']);
    expect(negated.map((n) => n.label)).toEqual(['car']);
    expect(labels('a man and no other people')).toEqual(['person']);
  });

  it('reads colour words as colours unless they end a phrase', () => {
    expect(labels('an orange sunset over a boat')).toEqual(['boat']);
    expect(labels('an orange on a plate')).toEqual(['orange']);
    expect(labels('three oranges')).toEqual(['orange']);
    expect(labels('a remote island')).toEqual([]);
  });

  it('finds nothing in a prompt without COCO objects', () => {
    expect(cocoNounsOf('a starry night sky over mountains')).toEqual({ nouns: [], negated: [] });
  });
});
