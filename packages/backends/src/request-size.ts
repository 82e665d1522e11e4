import { type BackendCapabilities, BackendError, type GenerateParams } from '@pakati/core';

/** Diffusion servers work in latent blocks: sizes must be multiples of 8. */
export const LATENT_MULTIPLE = 8;

export const roundUpToMultiple = (value: number, multiple = LATENT_MULTIPLE) =>
  Math.ceil(value / multiple) * multiple;

/**
 * Refuses a size the backend cannot take, and returns the size to ask the server for (rounded up to whole latent
 * blocks); the caller resizes the result back to the size asked of it.
 */
export function checkRequestSize(
  backend: string,
  params: Pick<GenerateParams, 'width' | 'height'>,
  capabilities: Pick<BackendCapabilities, 'maxWidth' | 'maxHeight'>,
): { width: number; height: number } {
  const { width, height } = params;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new BackendError('INVALID_REQUEST', backend, `invalid size ${width}x${height}`);
  }
  if (width > capabilities.maxWidth || height > capabilities.maxHeight) {
    throw new BackendError(
      'INVALID_REQUEST',
      backend,
      `size ${width}x${height} exceeds ${capabilities.maxWidth}x${capabilities.maxHeight}`,
    );
  }
  return { width: roundUpToMultiple(width), height: roundUpToMultiple(height) };
}
