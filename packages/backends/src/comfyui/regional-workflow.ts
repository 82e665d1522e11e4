import type { MaskImage, RasterImage } from '@pakati/core';
import { encodeMaskPng, resizeRaster } from '../image-codec.ts';
import { roundUpToMultiple } from '../request-size.ts';
import { type ComfyLink, type ComfyNode, type ComfyWorkflow, DEFAULT_CHECKPOINT } from './workflows.ts';

/** One region's conditioning with its masks already uploaded (file names as LoadImageMask takes them). */
export interface RegionalWorkflowRegion {
  /** Only used in node titles. */
  regionId?: string;
  /** The region's prompt, active inside `positiveMask`. */
  positive: string;
  /** The region's own negative (with the global one), active inside `positiveMask`; '' adds nothing. */
  negative: string;
  /** The region's prompt as a negative active inside `outsideMask` (auto-negative); '' adds nothing. */
  negativeOutside: string;
  /** Uploaded grayscale mask, white (1) where the region is. */
  positiveMask: string;
  /** Uploaded grayscale mask, white (1) outside the region. */
  outsideMask: string;
}

export interface RegionalWorkflowValues {
  /** The unmasked positive prompt; may be empty. */
  prompt: string;
  /** The unmasked negative prompt; may be empty. */
  negativePrompt: string;
  seed: number;
  steps: number;
  cfg: number;
  /** Generation size in pixels; rounded up to a multiple of 8 for the latent. */
  width: number;
  height: number;
  checkpoint?: string | null;
  samplerName?: string;
  scheduler?: string;
  /** In painting order, bottom to top: where masks overlap, the later region is combined later. */
  regions: readonly RegionalWorkflowRegion[];
}

const LATENT_MULTIPLE = 8;
/** LoadImageMask reads the red channel: a grayscale PNG has its value there. */
export const REGIONAL_MASK_CHANNEL = 'red';

const roundUp = (value: number) => roundUpToMultiple(value, LATENT_MULTIPLE);

/**
 * An API-format graph for regional conditioning in one pass, built only from core ComfyUI nodes:
 *
 * - the global positive and negative prompts, unmasked;
 * - per region: CLIPTextEncode(positive) → ConditioningSetMask(its mask), the region's negative masked to its
 *   mask too, and CLIPTextEncode(negativeOutside) → ConditioningSetMask(the outside mask) as a negative;
 * - the positives chained with ConditioningCombine (global first, then regions bottom to top) into
 *   KSampler.positive, the negatives likewise into KSampler.negative;
 * - EmptyLatentImage at the size rounded up to a multiple of 8, VAEDecode, SaveImage.
 *
 * Node ids are assigned in a fixed order, so the same values always give the same graph.
 */
export function buildRegionalWorkflow(values: RegionalWorkflowValues): ComfyWorkflow {
  const graph: ComfyWorkflow = {};
  const add = (id: string, node: ComfyNode): ComfyLink => {
    graph[id] = node;
    return [id, 0];
  };
  let nextId = 10;
  const addNext = (node: ComfyNode): ComfyLink => add(String(nextId++), node);

  const ckpt = add('1', {
    class_type: 'CheckpointLoaderSimple',
    inputs: { ckpt_name: values.checkpoint || DEFAULT_CHECKPOINT },
  });
  const clip: ComfyLink = [ckpt[0], 1];
  const text = (value: string, title: string): ComfyNode => ({
    class_type: 'CLIPTextEncode',
    inputs: { text: value, clip },
    _meta: { title },
  });
  const globalPositive = add('2', text(values.prompt, 'Global positive'));
  const globalNegative = add('3', text(values.negativePrompt, 'Global negative'));
  const latent = add('4', {
    class_type: 'EmptyLatentImage',
    inputs: { width: roundUp(values.width), height: roundUp(values.height), batch_size: 1 },
  });
  // The sampler, decoder and saver get their ids now and their node once the chains are built.
  const samplerId = '5';
  const decodeId = '6';
  const saveId = '7';

  const masked = (conditioning: ComfyLink, mask: ComfyLink, title: string): ComfyLink =>
    addNext({
      class_type: 'ConditioningSetMask',
      inputs: { conditioning, mask, strength: 1, set_cond_area: 'default' },
      _meta: { title },
    });
  const combine = (conditioning_1: ComfyLink, conditioning_2: ComfyLink, title: string): ComfyLink =>
    addNext({
      class_type: 'ConditioningCombine',
      inputs: { conditioning_1, conditioning_2 },
      _meta: { title },
    });

  let positive = globalPositive;
  let negative = globalNegative;
  values.regions.forEach((region, index) => {
    const name = `region ${index}${region.regionId ? ` (${region.regionId})` : ''}`;
    const inside = addNext({
      class_type: 'LoadImageMask',
      inputs: { image: region.positiveMask, channel: REGIONAL_MASK_CHANNEL },
      _meta: { title: `${name} mask` },
    });
    const outside = addNext({
      class_type: 'LoadImageMask',
      inputs: { image: region.outsideMask, channel: REGIONAL_MASK_CHANNEL },
      _meta: { title: `${name} outside mask` },
    });
    const regionPositive = masked(
      addNext(text(region.positive, `${name} positive`)),
      inside,
      `${name} positive, masked`,
    );
    positive = combine(positive, regionPositive, `positive + ${name}`);
    if (region.negative.trim() !== '') {
      const regionNegative = masked(
        addNext(text(region.negative, `${name} negative`)),
        inside,
        `${name} negative, masked`,
      );
      negative = combine(negative, regionNegative, `negative + ${name}`);
    }
    if (region.negativeOutside.trim() !== '') {
      const autoNegative = masked(
        addNext(text(region.negativeOutside, `${name} auto-negative`)),
        outside,
        `${name} auto-negative, outside`,
      );
      negative = combine(negative, autoNegative, `negative + ${name} outside`);
    }
  });

  add(samplerId, {
    class_type: 'KSampler',
    inputs: {
      seed: values.seed,
      steps: values.steps,
      cfg: values.cfg,
      sampler_name: values.samplerName || 'euler',
      scheduler: values.scheduler || 'normal',
      denoise: 1,
      model: [ckpt[0], 0],
      positive,
      negative,
      latent_image: latent,
    },
  });
  add(decodeId, { class_type: 'VAEDecode', inputs: { samples: [samplerId, 0], vae: [ckpt[0], 2] } });
  add(saveId, { class_type: 'SaveImage', inputs: { filename_prefix: 'pakati', images: [decodeId, 0] } });
  return graph;
}

/**
 * A mask as the grayscale PNG the regional graph loads (white = 1), stretched to `width`×`height` (the latent's
 * pixel size) like the generated image is stretched back afterwards.
 */
export async function regionalMaskPng(mask: MaskImage, width: number, height: number): Promise<Buffer> {
  if (mask.width === width && mask.height === height) return encodeMaskPng(mask);
  const gray: RasterImage = {
    width: mask.width,
    height: mask.height,
    data: new Uint8ClampedArray(mask.width * mask.height * 4),
  };
  for (let i = 0; i < mask.width * mask.height; i++) {
    const v = Math.round(Math.min(1, Math.max(0, mask.data[i]!)) * 255);
    gray.data.set([v, v, v, 255], i * 4);
  }
  const sized = await resizeRaster(gray, width, height);
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = sized.data[i * 4]! / 255;
  return encodeMaskPng({ width, height, data });
}
