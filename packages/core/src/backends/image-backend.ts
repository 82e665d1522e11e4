import type { RegionConditioning } from '../geometry/auto-negative.ts';
import type { MaskImage, RasterImage } from './raster.ts';

/** What a backend can do; the selector filters on these before anything is sent. */
export interface BackendCapabilities {
  maxWidth: number;
  maxHeight: number;
  /** Sizes the backend accepts are multiples of this (8 for most diffusion models, 1 when anything goes). */
  sizeMultiple: number;
  txt2img: boolean;
  img2img: boolean;
  inpainting: boolean;
  regionalPrompting: boolean;
  negativePrompt: boolean;
  /** Same inputs and seed give the same pixels. */
  deterministicSeeds: boolean;
  /** USD per image, 0 for local backends. */
  costPerImage: number;
  /** Requests per minute the provider allows us, null when unlimited. */
  rateLimitPerMinute: number | null;
}

export interface GenerateParams {
  prompt: string;
  negativePrompt?: string | null;
  width: number;
  height: number;
  seed: number;
  /** Sampler steps and classifier-free guidance; backends without them ignore them. Defaults: 30 and 7.5. */
  steps?: number;
  guidance?: number;
  /** A provider-specific model id; the backend's default when absent. */
  model?: string | null;
}

export interface Img2ImgParams extends GenerateParams {
  init: RasterImage;
  /** 0 keeps the init image, 1 ignores it. */
  strength: number;
}

export interface InpaintParams extends GenerateParams {
  init: RasterImage;
  /** Where to paint (1) and where to keep the init image (0); same size as init. */
  mask: MaskImage;
  /** Optional source of content for the masked area (e.g. a reference image), used by backends that can. */
  reference?: RasterImage | null;
}

/**
 * The whole canvas in one pass with regional conditioning (backends whose capabilities say
 * `regionalPrompting`): each region's prompt acts inside its mask and, InvokeAI-style, as a negative outside it,
 * so a region's content does not bleed into its neighbours. Build `regions` with `autoNegativeConditioning`.
 */
export interface RegionalGenerateParams extends GenerateParams {
  regions: RegionConditioning[];
}

export interface ProgressUpdate {
  step: number;
  totalSteps: number;
  /** 0..1, never decreasing within one operation. */
  fraction: number;
  preview?: RasterImage | null;
  message?: string;
}

export interface OperationContext {
  signal: AbortSignal;
  onProgress?: (update: ProgressUpdate) => void;
}

export interface GenerationResult {
  image: RasterImage;
  /** The seed the backend really used (some providers pick their own when asked to). */
  seed: number;
  model: string;
  modelVersion: string;
  timings: { totalMs: number; queueMs?: number; inferenceMs?: number };
}

/**
 * One interface for every generator: local, classical or remote. Operations a backend lacks (see
 * `capabilities`) throw BackendError('UNSUPPORTED'). Every operation honours its AbortSignal promptly and
 * reports real progress, never a fabricated one.
 */
export interface ImageBackend {
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  generate(params: GenerateParams, ctx: OperationContext): Promise<GenerationResult>;
  img2img(params: Img2ImgParams, ctx: OperationContext): Promise<GenerationResult>;
  inpaint(params: InpaintParams, ctx: OperationContext): Promise<GenerationResult>;
  /** Present exactly when `capabilities.regionalPrompting` is true. */
  generateRegional?(params: RegionalGenerateParams, ctx: OperationContext): Promise<GenerationResult>;
}

export const DEFAULT_STEPS = 30;
export const DEFAULT_GUIDANCE = 7.5;
