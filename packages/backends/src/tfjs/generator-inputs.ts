import { createRandom, hashString } from '@pakati/core';

/**
 * The latent a seed stands for: standard normal samples from mulberry32 through Box-Muller. Computed in JS
 * rather than with tf.randomNormal so the same seed feeds the same numbers to every tfjs backend.
 */
export function seededLatent(seed: number, size: number): Float32Array {
  const random = createRandom(seed);
  const latent = new Float32Array(size);
  for (let i = 0; i < size; i += 2) {
    // 1 - next() lies in (0, 1], keeping log() finite.
    const radius = Math.sqrt(-2 * Math.log(1 - random.next()));
    const angle = 2 * Math.PI * random.next();
    latent[i] = radius * Math.cos(angle);
    if (i + 1 < size) latent[i + 1] = radius * Math.sin(angle);
  }
  return latent;
}

/**
 * A prompt as a hashed bag of words: each lower-cased word adds ±1 at a hashed index, then the vector is
 * L2-normalised so prompt length does not change its scale. No vocabulary to ship, and stable across runs;
 * a model trained with the same embedding can condition on it. An empty prompt is the zero vector.
 */
export function embedPrompt(prompt: string, size: number): Float32Array {
  const embedding = new Float32Array(size);
  if (size === 0) return embedding;
  for (const word of prompt.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const hash = hashString(word);
    // The sign comes from the top bit so that it is (nearly) independent of the index.
    embedding[hash % size]! += hash & 0x80000000 ? -1 : 1;
  }
  let norm = 0;
  for (const value of embedding) norm += value * value;
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < size; i++) embedding[i]! *= scale;
  }
  return embedding;
}
