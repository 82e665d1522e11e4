export { type AdjustOptions, adjustImage } from './adjust.ts';
export { type CropRect, cropImage } from './crop.ts';
export { type SharpenOptions, sharpenImage } from './sharpen.ts';
export {
  createUpscaler,
  UPSCALE_FACTORS,
  type UpscaleContext,
  type UpscaleFactor,
  type UpscaleResult,
  type Upscaler,
  type UpscalerOptions,
} from './upscaler.ts';
