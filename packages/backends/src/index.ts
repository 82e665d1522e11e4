export { analyzePhoto, loadPhoto, MIN_ANALYSIS_SIZE } from './analysis/analyze-photo.ts';
export { encodeFloatTiff } from './analysis/float-tiff.ts';
export { createSharpKernel, type SharpKernelOptions, sharpKernel } from './analysis/sharp-kernel.ts';
export { createTfjsKernel, type TfjsKernel, type TfjsKernelOptions } from './analysis/tfjs-kernel.ts';
export {
  type Automatic1111Options,
  createAutomatic1111Backend,
} from './automatic1111/automatic1111-backend.ts';
export { type ComfyUiOptions, createComfyUiBackend } from './comfyui/comfyui-backend.ts';
export { type FailoverAttempt, withFailover } from './failover.ts';
export { backendFetch, errorFromResponse, parseRetryAfter } from './http-errors.ts';
export { decodeImage, encodeMaskPng, encodePng, resizeRaster } from './image-codec.ts';
export { createOpenAiBackend, type OpenAiBackendOptions } from './openai/openai-backend.ts';
export { PerformanceTracker } from './performance-tracker.ts';
export {
  type AdjustOptions,
  adjustImage,
  type CropRect,
  createUpscaler,
  cropImage,
  type SharpenOptions,
  sharpenImage,
  UPSCALE_FACTORS,
  type UpscaleContext,
  type UpscaleFactor,
  type UpscaleResult,
  type Upscaler,
  type UpscalerOptions,
} from './postprocess/index.ts';
export {
  ANTHROPIC_VERSION,
  type AnthropicEnhancerOptions,
  createAnthropicEnhancer,
} from './prompt/anthropic-enhancer.ts';
export {
  type CachedEnhancerOptions,
  createCachedEnhancer,
  createFallbackEnhancer,
  DEFAULT_ENHANCEMENT_PREFIX,
  DEFAULT_ENHANCEMENT_TTL_SECONDS,
  type FallbackEnhancerOptions,
  promptEnhancementKey,
} from './prompt/cached-enhancer.ts';
export {
  createPromptEnhancer,
  PROMPT_ENHANCER_KINDS,
  type PromptEnhancerKind,
} from './prompt/enhancer-config.ts';
export { createOpenAiChatEnhancer, type OpenAiChatEnhancerOptions } from './prompt/openai-chat-enhancer.ts';
export {
  cleanEnhancedPrompt,
  DEFAULT_ENHANCER_TIMEOUT_MS,
  ENHANCER_SYSTEM_PROMPT,
} from './prompt/remote-enhancer.ts';
export { type LabStats, labStatsOf, reinhardTransfer } from './refinement/color-transfer.ts';
export { applyRegionAction, type RefinementRegion, type RegionAction } from './refinement/region-actions.ts';
export {
  type CompositeLayer,
  compositeRegions,
  extractBox,
  generationSize,
  type PixelBox,
  pixelBox,
  regionMask,
  resizeMask,
} from './region-compositor.ts';
export { createReplicateBackend, type ReplicateBackendOptions } from './replicate/replicate-backend.ts';
export {
  type CallOutcome,
  DEFAULT_RESILIENCE,
  type ResilienceOptions,
  ResilientBackend,
} from './resilient-backend.ts';
export { createStabilityBackend, type StabilityBackendOptions } from './stability/stability-backend.ts';
export { createTfjsModelBackend, loadTfjs, type TfjsModelBackendOptions } from './tfjs/index.ts';
