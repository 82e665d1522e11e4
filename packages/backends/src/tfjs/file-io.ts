import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { io } from '@tensorflow/tfjs';

export const MODEL_JSON = 'model.json';
const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

export interface ModelFiles {
  artifacts: io.ModelArtifacts;
  modelJson: io.ModelJSON;
  /** model.json exactly as stored, for hashing. */
  modelJsonBytes: Buffer;
  /** Every weight shard, in manifest order. */
  shards: Buffer[];
}

/**
 * Reads a tfjs model directory (model.json plus the weight shards its weightsManifest names, relative to the
 * directory). @tensorflow/tfjs has no file:// loader in Node without tfjs-node, hence this.
 */
export async function readModelFiles(dir: string): Promise<ModelFiles> {
  const modelJsonBytes = await readFile(path.join(dir, MODEL_JSON));
  let modelJson: io.ModelJSON;
  try {
    modelJson = JSON.parse(modelJsonBytes.toString('utf8')) as io.ModelJSON;
  } catch (error) {
    throw new Error(`${path.join(dir, MODEL_JSON)} is not JSON: ${(error as Error).message}`);
  }
  if (modelJson === null || typeof modelJson !== 'object' || modelJson.modelTopology == null) {
    throw new Error(`${path.join(dir, MODEL_JSON)} has no modelTopology`);
  }
  const shards: Buffer[] = [];
  const artifacts = await io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    for (const group of manifest) {
      for (const shardPath of group.paths) shards.push(await readFile(resolveInside(dir, shardPath)));
    }
    // Shards need not end on weight boundaries; tfjs accepts the list and reads across them.
    const data: ArrayBuffer[] = shards.map(toArrayBuffer);
    return [io.getWeightSpecs(manifest), data];
  });
  return { artifacts, modelJson, modelJsonBytes, shards };
}

export function fileSystemLoader(dir: string): io.IOHandler {
  return { load: async () => (await readModelFiles(dir)).artifacts };
}

export interface FileSystemSaverOptions {
  /** Weight bytes per shard file; tfjs's own converters use 4 MiB. */
  shardSizeBytes?: number;
}

/**
 * Writes model.json and its weights (`weights.bin`, or `group1-shardNofM.bin` when they need several files).
 * model.json is written last and renamed into place, so a directory with a model.json is a complete model.
 */
export function fileSystemSaver(dir: string, options: FileSystemSaverOptions = {}): io.IOHandler {
  const shardSize = options.shardSizeBytes ?? DEFAULT_SHARD_BYTES;
  if (!Number.isInteger(shardSize) || shardSize < 1)
    throw new Error('shardSizeBytes must be a positive integer');
  return {
    save: async (artifacts) => {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('fileSystemSaver writes JSON topologies only, not a binary GraphDef');
      }
      await mkdir(dir, { recursive: true });
      const weights = new Uint8Array(
        artifacts.weightData == null ? new ArrayBuffer(0) : io.concatenateArrayBuffers(artifacts.weightData),
      );
      const count = Math.max(1, Math.ceil(weights.byteLength / shardSize));
      const paths: string[] = [];
      for (let i = 0; i < count; i++) {
        const name = count === 1 ? 'weights.bin' : `group1-shard${i + 1}of${count}.bin`;
        await writeFile(path.join(dir, name), weights.subarray(i * shardSize, (i + 1) * shardSize));
        paths.push(name);
      }
      const modelJson: io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        weightsManifest: [{ paths, weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.format != null) modelJson.format = artifacts.format;
      if (artifacts.generatedBy != null) modelJson.generatedBy = artifacts.generatedBy;
      if (artifacts.convertedBy !== undefined) modelJson.convertedBy = artifacts.convertedBy;
      if (artifacts.trainingConfig != null) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.signature != null) modelJson.signature = artifacts.signature;
      if (artifacts.userDefinedMetadata != null)
        modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      if (artifacts.modelInitializer != null) modelJson.modelInitializer = artifacts.modelInitializer;
      if (artifacts.initializerSignature != null)
        modelJson.initializerSignature = artifacts.initializerSignature;
      const target = path.join(dir, MODEL_JSON);
      const temp = `${target}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify(modelJson));
      await rename(temp, target);
      return { modelArtifactsInfo: io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

// A manifest comes with the model, i.e. from whoever supplied it: keep its paths inside the model directory.
function resolveInside(dir: string, relative: string): string {
  const root = path.resolve(dir);
  const resolved = path.resolve(root, relative);
  if (path.isAbsolute(relative) || !resolved.startsWith(root + path.sep)) {
    throw new Error(`weight path '${relative}' leaves the model directory`);
  }
  return resolved;
}

function toArrayBuffer(buffer: Buffer): ArrayBuffer {
  // Small files can share Node's pooled allocation; tfjs needs a buffer that is exactly the shard.
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}
