import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadTfjs } from '@pakati/backends';
import type { RasterImage } from '@pakati/core';
import type { io } from '@tensorflow/tfjs';
import { rgbPixels } from './model-input.ts';

export interface ObjectDetection {
  /** COCO class name, as @vladmandic/human spells it ('person', 'cup', 'dining table', ...). */
  label: string;
  /** Detector confidence in 0..1: evidence, not truth (CenterNet scores real objects 0.3-0.6 on photos). */
  score: number;
  /** Canvas pixels. */
  box: { x: number; y: number; width: number; height: number };
}

export interface ObjectDetector {
  detect(image: RasterImage): Promise<ObjectDetection[]>;
}

/** Detections below this are dropped by human itself; callers apply their own (higher) bar. */
export const DETECTION_FLOOR = 0.1;
const MAX_DETECTIONS = 20;
/** CenterNet looks at 512×512; a larger input only costs the copy and resize. */
const MAX_INPUT_SIDE = 1024;

// The parts of human's API used here; its bundled typings describe the browser build.
interface HumanObject {
  label: string;
  score: number;
  boxRaw: [number, number, number, number];
}
interface HumanLike {
  tf: { io: typeof io; tensor4d: (data: Uint8Array, shape: number[], dtype: 'int32') => { dispose(): void } };
  models: { models: Record<string, unknown> };
  load(): Promise<void>;
  detect(input: unknown): Promise<{ object: HumanObject[]; error: string | null }>;
}

let pending: Promise<ObjectDetector> | undefined;
let routerRegistered = false;

/** The process's one COCO detector (human's CenterNet); concurrent callers share the load. */
export function loadObjectDetector(): Promise<ObjectDetector> {
  if (!pending) {
    const load = createDetector();
    pending = load;
    load.catch(() => {
      if (pending === load) pending = undefined;
    });
  }
  return pending;
}

async function createDetector(): Promise<ObjectDetector> {
  // Initialise tfjs (backend choice, wasm binary path) the way the rest of the process does, before human:
  // human.node-wasm is not a bundle of its own tfjs, it require()s @tensorflow/tfjs-core, -converter and
  // -backend-wasm, which resolve to the same 4.22 packages. The engine lives on globalThis, so human's tensors,
  // ours and nsfwjs's share one engine, one backend and one tf.memory() count. human sees the backend already
  // active and skips its own initialisation (which would look for the wasm binary on a CDN).
  const { backend } = await loadTfjs('auto');
  const require = createRequire(import.meta.url);
  // The package's exports map has no usable subpath for the node-wasm build, so require it by file.
  const humanDir = path.dirname(path.dirname(require.resolve('@vladmandic/human')));
  const { Human } = require(path.join(humanDir, 'dist', 'human.node-wasm.js')) as {
    Human: new (config: Record<string, unknown>) => HumanLike;
  };
  const modelsDir = path.join(humanDir, 'models');
  const human = new Human({
    backend,
    wasmPath: path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep,
    modelBasePath: `${pathToFileURL(modelsDir).href}/`,
    debug: false,
    async: false,
    warmup: 'none',
    // Human otherwise returns the previous result for a frame that differs little from the last one.
    cacheSensitivity: 0,
    cacheModels: false,
    filter: { enabled: false },
    face: { enabled: false },
    body: { enabled: false },
    hand: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
    object: {
      enabled: true,
      modelPath: 'centernet.json',
      minConfidence: DETECTION_FLOOR,
      maxDetected: MAX_DETECTIONS,
    },
  });
  // Registered on human's own tf namespace: that is the tfjs-core instance whose GraphModel looks the URL up.
  // Once per process: a second router answering the same URL makes tfjs refuse to pick a handler.
  if (!routerRegistered) {
    // tfjs types a router as always answering, but it is asked about every URL and null means "not mine".
    human.tf.io.registerLoadRouter(
      (url) => (typeof url === 'string' ? modelFileHandler(url, modelsDir) : null) as io.IOHandler,
    );
    routerRegistered = true;
  }
  await human.load();
  // human logs a failed model load and carries on; detect() would then silently find nothing.
  if (!human.models.models.centernet) throw new Error(`human could not load centernet from ${modelsDir}`);

  let queue: Promise<unknown> = Promise.resolve();
  const detect = async (image: RasterImage): Promise<ObjectDetection[]> => {
    const pixels = await rgbPixels(image, { width: MAX_INPUT_SIDE, height: MAX_INPUT_SIDE, fit: 'inside' });
    const input = human.tf.tensor4d(pixels.data, [1, pixels.height, pixels.width, 3], 'int32');
    try {
      const result = await human.detect(input);
      if (result.error) throw new Error(`object detection failed: ${result.error}`);
      // boxRaw is relative to the input, so it maps straight onto the canvas whatever the downscale was.
      return result.object.map((object) => toDetection(object, image));
    } finally {
      input.dispose();
    }
  };
  return {
    // One Human holds per-call state (its last result, timings): calls take turns.
    detect: (image) => {
      const next = queue.then(() => detect(image));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

function toDetection(object: HumanObject, image: RasterImage): ObjectDetection {
  const [rx, ry, rw, rh] = object.boxRaw;
  const x = clamp(rx * image.width, 0, image.width);
  const y = clamp(ry * image.height, 0, image.height);
  const right = clamp((rx + rw) * image.width, x, image.width);
  const bottom = clamp((ry + rh) * image.height, y, image.height);
  return {
    label: object.label,
    score: object.score,
    box: { x: round1(x), y: round1(y), width: round1(right - x), height: round1(bottom - y) },
  };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round1 = (v: number) => Math.round(v * 10) / 10;

/**
 * @tensorflow/tfjs in Node has no file:// loader (that comes with tfjs-node, which cannot be installed here), so
 * human's models are read from disk by this handler. Only URLs inside human's own models directory are served.
 */
function modelFileHandler(url: string, modelsDir: string): io.IOHandler | null {
  if (!url.startsWith('file://')) return null;
  const file = fileURLToPath(url);
  if (!isInside(modelsDir, file)) return null;
  return {
    load: async () => {
      const modelJson = JSON.parse(await readFile(file, 'utf8')) as io.ModelJSON;
      const dir = path.dirname(file);
      const shards: ArrayBuffer[] = [];
      for (const group of modelJson.weightsManifest ?? []) {
        for (const shard of group.paths) {
          const shardFile = path.resolve(dir, shard);
          if (!isInside(dir, shardFile)) throw new Error(`weight path '${shard}' leaves ${dir}`);
          const bytes = await readFile(shardFile);
          shards.push(
            bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
          );
        }
      }
      return {
        modelTopology: modelJson.modelTopology,
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy,
        signature: modelJson.signature,
        userDefinedMetadata: modelJson.userDefinedMetadata,
        weightSpecs: (modelJson.weightsManifest ?? []).flatMap((group) => group.weights),
        weightData: shards,
      };
    },
  };
}

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(path.resolve(dir), path.resolve(file));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
