import { loadTfjs } from '@pakati/backends';
import type { io } from '@tensorflow/tfjs';
import { NSFWJS } from 'nsfwjs/core';
import { MobileNetV2Model } from 'nsfwjs/models/mobilenet_v2';
import type { RgbPixels } from './model-input.ts';

/** MobileNetV2's input side; inputs of any other size are resized by the caller (see model-input.ts). */
export const NSFW_INPUT_SIZE = 224;

/** The model's output order (nsfwjs's NSFW_CLASSES). */
export const NSFW_CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;
export type NsfwClass = (typeof NSFW_CLASSES)[number];
export type NsfwScores = Record<NsfwClass, number>;

/** Global-average-pooled MobileNetV2 features (1280-d): content and layout, not colour. */
const EMBEDDING_LAYER = 'flatten_1';

export interface NsfwModel {
  /** Class probabilities (softmax) for a NSFW_INPUT_SIZE² RGB image. */
  classify(pixels: RgbPixels): Promise<NsfwScores>;
  /** The 1280-d embedding of a NSFW_INPUT_SIZE² RGB image. */
  embed(pixels: RgbPixels): Promise<Float32Array>;
  dispose(): void;
}

let pending: Promise<NsfwModel> | undefined;

/**
 * The process's one nsfwjs MobileNetV2, shared by the analyzers that need it (the weights are ~3.5 MB and the
 * first prediction compiles the graph). Concurrent callers share the load; a failed load is forgotten so a
 * later call can retry.
 */
export function loadNsfwModel(): Promise<NsfwModel> {
  if (!pending) {
    const load = createNsfwModel();
    pending = load;
    load.catch(() => {
      if (pending === load) pending = undefined;
    });
  }
  return pending;
}

/** Frees the shared model's weights; the next loadNsfwModel() loads it again. */
export async function releaseNsfwModel(): Promise<void> {
  const current = pending;
  pending = undefined;
  if (current) (await current.catch(() => undefined))?.dispose();
}

async function createNsfwModel(): Promise<NsfwModel> {
  // Same engine and backend as the rest of the process: nsfwjs imports the very @tensorflow/tfjs we get here.
  const { tf } = await loadTfjs('auto');
  // nsfwjs's own load('MobileNetV2') would do the same from the same files but logs to the console on every call.
  const model = new NSFWJS(bundledWeights(), { size: NSFW_INPUT_SIZE });
  await model.load();

  const run = async (pixels: RgbPixels, endpoint?: string): Promise<Float32Array> => {
    if (pixels.width !== NSFW_INPUT_SIZE || pixels.height !== NSFW_INPUT_SIZE) {
      throw new Error(
        `nsfwjs input must be ${NSFW_INPUT_SIZE}x${NSFW_INPUT_SIZE}, got ${pixels.width}x${pixels.height}`,
      );
    }
    const input = tf.tensor3d(pixels.data, [pixels.height, pixels.width, 3], 'int32');
    try {
      // infer() runs inside tf.tidy: only its output survives, and that is ours to dispose.
      const output = model.infer(input, endpoint);
      try {
        return (await output.data()) as Float32Array;
      } finally {
        output.dispose();
      }
    } finally {
      input.dispose();
    }
  };

  return {
    classify: async (pixels) => {
      const probabilities = await run(pixels);
      return Object.fromEntries(NSFW_CLASSES.map((name, i) => [name, probabilities[i] ?? 0])) as NsfwScores;
    },
    embed: (pixels) => run(pixels, EMBEDDING_LAYER),
    dispose: () => model.dispose(),
  };
}

/**
 * The weights ship inside the npm package as base64 JavaScript modules (no network, no file:// URL that tfjs
 * in Node could not load); this handler hands them to tfjs without nsfwjs's string round trip.
 */
function bundledWeights(): io.IOHandler {
  return {
    load: async () => {
      const modelJson = (await MobileNetV2Model.modelJson()).default;
      const shards: ArrayBuffer[] = [];
      for (const bundle of MobileNetV2Model.weightBundles) {
        const bytes = Buffer.from((await bundle()).default, 'base64');
        shards.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      }
      return {
        modelTopology: modelJson.modelTopology,
        weightSpecs: (modelJson.weightsManifest ?? []).flatMap((group) => group.weights),
        weightData: shards,
      };
    },
  };
}
