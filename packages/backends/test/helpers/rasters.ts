import { BackendError, type RasterImage } from '@pakati/core';
import { expect } from 'vitest';

/** An opaque image of one colour. */
export function solid(width: number, height: number, rgb: [number, number, number]): RasterImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([...rgb, 255], i * 4);
  return { width, height, data };
}

/** The RGB of one pixel. */
export function pixel(image: RasterImage, x: number, y: number): number[] {
  const i = (y * image.width + x) * 4;
  return [...image.data.subarray(i, i + 3)];
}

/** The BackendError an operation fails with; the test fails if it succeeds or fails otherwise. */
export async function backendFailure(promise: Promise<unknown>): Promise<BackendError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the operation to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackendError);
  return error as BackendError;
}
