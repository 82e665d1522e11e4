import { gaussianBlur, laplacian, sobelMagnitude } from './filters.ts';

/** A result now, or later: native kernels (libvips, GPU) run off the JavaScript thread and answer with promises. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * The filters the analyzer needs, swappable so the same statistics run on the portable JavaScript filters or on
 * a native library. Every implementation takes one float plane (row-major, width × height), replicates edge
 * pixels, follows the definitions in filters.ts, and must not modify its input.
 */
export interface AnalysisKernel {
  readonly name: string;
  /** Gaussian blur; taps follow `gaussianKernel` (libvips's min-amplitude rule, 0.001). */
  blur(values: Float32Array, width: number, height: number, sigma: number): MaybePromise<Float32Array>;
  /** 4-neighbour Laplacian. */
  laplacian(values: Float32Array, width: number, height: number): MaybePromise<Float32Array>;
  /** Sobel gradient magnitude. */
  sobel(values: Float32Array, width: number, height: number): MaybePromise<Float32Array>;
}

/** The portable reference kernel: pure JavaScript, synchronous. */
export const jsKernel: AnalysisKernel = {
  name: 'js',
  blur: gaussianBlur,
  laplacian,
  sobel: sobelMagnitude,
};
