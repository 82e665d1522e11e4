export { analyzePhoto, loadPhoto, MIN_ANALYSIS_SIZE } from './analysis/analyze-photo.ts';
export { encodeFloatTiff } from './analysis/float-tiff.ts';
export {
  ANALYSIS_KERNEL_PREFERENCES,
  type AnalysisKernelPreference,
  type ChosenKernel,
  chooseAnalysisKernel,
} from './analysis/kernel-choice.ts';
export { createSharpKernel, type SharpKernelOptions, sharpKernel } from './analysis/sharp-kernel.ts';
export { createTfjsKernel, type TfjsKernel, type TfjsKernelOptions } from './analysis/tfjs-kernel.ts';
export {
  type Automatic1111Options,
  createAutomatic1111Backend,
} from './automatic1111/automatic1111-backend.ts';
export { type ComfyUiOptions, createComfyUiBackend } from './comfyui/comfyui-backend.ts';
export { type FailoverAttempt, withFailover } from './failover.ts';
export { backendFetch, errorFromResponse } from './http-errors.ts';
export { decodeImage, encodeMaskPng, encodePng, fitWithin, resizeRaster } from './image-codec.ts';
export {
  type AnthropicVisionJudgeOptions,
  createAnthropicVisionJudge,
  VERDICT_TOOL,
} from './judge/anthropic-vision-judge.ts';
export { createVisionJudge, VISION_JUDGE_KINDS, type VisionJudgeKind } from './judge/judge-config.ts';
export { JUDGE_MAX_SIDE, type JudgeImage, prepareJudgeImage } from './judge/judge-image.ts';
export { createOpenAiVisionJudge, type OpenAiVisionJudgeOptions } from './judge/openai-vision-judge.ts';
export {
  DEFAULT_JUDGE_TIMEOUT_MS,
  JUDGE_SYSTEM_PROMPT,
  type JudgeRequest,
  type JudgeVerdict,
  type VisionJudge,
} from './judge/vision-judge.ts';
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
export { ANALYSIS_VERSION, AnalysisCache, type AnalysisCacheKeyParts } from './refinement/analysis-cache.ts';
export { type LabStats, labStatsOf, reinhardTransfer } from './refinement/color-transfer.ts';
export { mergeRegionPatches } from './refinement/patch-merge.ts';
export {
  type AppliedStep,
  applyPlannedSteps,
  blendLabStats,
  type PlannedStepContext,
} from './refinement/planned-steps.ts';
export {
  analyzeAgainstReferences,
  type ReferenceAnalysis,
  type ReferenceProfile,
  type RegionAnalysis,
  type RegionTarget,
  referenceProfile,
  type WeightedReference,
} from './refinement/reference-analysis.ts';
export {
  candidateOf,
  type GenerativeStep,
  type InProcessRefinement,
  type LoopIteration,
  type LoopRegion,
  planFromAnalysis,
  type RegionGenerator,
  refineInProcess,
  renderRegionPlan,
} from './refinement/refinement-loop.ts';
export {
  applyRegionAction,
  type RefinementRegion,
  type RegionAction,
  WARMTH_SHIFT,
} from './refinement/region-actions.ts';
export {
  type GenerativeRegion,
  generateRegion,
  type RegionGenerationOptions,
} from './refinement/region-generation.ts';
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
