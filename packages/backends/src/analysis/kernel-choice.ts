import { type AnalysisKernel, jsKernel, PakatiError } from '@pakati/core';
import { loadTfjs } from '../tfjs/tfjs-runtime.ts';
import { sharpKernel } from './sharp-kernel.ts';
import { createTfjsKernel } from './tfjs-kernel.ts';

export const ANALYSIS_KERNEL_PREFERENCES = ['auto', 'sharp', 'tfjs', 'js'] as const;
export type AnalysisKernelPreference = (typeof ANALYSIS_KERNEL_PREFERENCES)[number];

export interface ChosenKernel {
  kernel: AnalysisKernel;
  /** What ran, for health, run metadata and logs: 'sharp', 'tfjs-tensorflow', 'tfjs-wasm', 'tfjs-cpu' or 'js'. */
  name: string;
  reason: string;
}

/**
 * The worker's analysis kernel. 'auto' takes tensors only where they pay: the native TensorFlow backend
 * (tfjs-node-gpu or tfjs-node, i.e. a GPU or at least libtensorflow). On a CPU-only worker libvips beats the tfjs
 * wasm backend several times over (see the analysis benchmark), so 'auto' falls back to sharp there; 'tfjs' forces
 * tensors on whatever tfjs backend loads.
 */
export async function chooseAnalysisKernel(preference: string = 'auto'): Promise<ChosenKernel> {
  if (!(ANALYSIS_KERNEL_PREFERENCES as readonly string[]).includes(preference)) {
    throw new PakatiError(
      'BAD_USER_INPUT',
      `analysis kernel must be one of ${ANALYSIS_KERNEL_PREFERENCES.join(', ')}`,
      {
        preference,
      },
    );
  }
  switch (preference as AnalysisKernelPreference) {
    case 'sharp':
      return { kernel: sharpKernel, name: 'sharp', reason: 'configured' };
    case 'js':
      return { kernel: jsKernel, name: 'js', reason: 'configured' };
    case 'tfjs': {
      const kernel = await createTfjsKernel({ preference: 'auto' });
      return { kernel, name: `tfjs-${kernel.backend}`, reason: 'configured' };
    }
    case 'auto': {
      try {
        await loadTfjs('tensorflow');
        const kernel = await createTfjsKernel({ preference: 'tensorflow' });
        return { kernel, name: 'tfjs-tensorflow', reason: 'native TensorFlow backend available' };
      } catch {
        return {
          kernel: sharpKernel,
          name: 'sharp',
          reason: 'no native TensorFlow backend; libvips is fastest on CPU',
        };
      }
    }
  }
}
