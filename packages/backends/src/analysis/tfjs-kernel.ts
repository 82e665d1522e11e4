import { type AnalysisKernel, gaussianKernel, PakatiError } from '@pakati/core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { loadTfjs, type Tf, type TfjsPreference } from '../tfjs/tfjs-runtime.ts';

export interface TfjsKernelOptions {
  /** Which tfjs runtime to ask for; see `loadTfjs`. 'auto' takes tfjs-node-gpu, tfjs-node, wasm, then cpu. */
  preference?: TfjsPreference;
}

export interface TfjsKernel extends AnalysisKernel {
  /** The tfjs backend the filters run on: 'tensorflow', 'wasm' or 'cpu'. */
  readonly backend: string;
  /** Frees the filter tensors this kernel cached; later calls reject. The tfjs engine itself is shared and stays. */
  dispose(): void;
}

const LAPLACIAN = [0, 1, 0, 1, -4, 1, 0, 1, 0];
// Row-major 3×3 windows; tf.conv2d correlates (no flip), so these read exactly as filters.ts's sums.
const SOBEL_X = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
const SOBEL_Y = [-1, -2, -1, 0, 0, 0, 1, 2, 1];

function assertPlane(values: Float32Array, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new PakatiError('BAD_USER_INPUT', 'Plane width and height must be positive integers', {
      width,
      height,
    });
  }
  if (!(values instanceof Float32Array) || values.length !== width * height) {
    throw new PakatiError('BAD_USER_INPUT', `Plane has ${values.length} values, expected ${width * height}`, {
      length: values.length,
      width,
      height,
    });
  }
}

/**
 * Replicated-edge padding along one spatial axis of an NHWC tensor (1 = rows, 2 = columns): tf.mirrorPad only
 * reflects, so the edge row/column is tiled `amount` times and concatenated on each side. Call inside tf.tidy.
 */
function padReplicate(tf: Tf, x: Tensor4D, axis: 1 | 2, amount: number): Tensor4D {
  if (amount === 0) return x;
  const size = x.shape[axis];
  const begin: [number, number, number, number] = [0, 0, 0, 0];
  const edge: [number, number, number, number] = [-1, -1, -1, -1];
  edge[axis] = 1;
  const reps: [number, number, number, number] = [1, 1, 1, 1];
  reps[axis] = amount;
  const first = tf.tile(tf.slice(x, begin, edge), reps);
  const lastBegin: [number, number, number, number] = [0, 0, 0, 0];
  lastBegin[axis] = size - 1;
  const last = tf.tile(tf.slice(x, lastBegin, edge), reps);
  return tf.concat([first, x, last], axis);
}

/**
 * The analysis filters on TensorFlow.js: separable gaussian (two 1-D tf.conv2d with filters.ts's taps), the
 * 4-neighbour Laplacian and the Sobel magnitude (3×3 tf.conv2d), all with replicated edges so results match the
 * JavaScript kernel to float rounding. Every op runs inside tf.tidy and results are read with `data()` before the
 * output tensor is disposed, so repeated calls leave no tensors behind.
 *
 * Tested here on the wasm backend only (the cpu backend follows the same ops). The GPU path (tfjs-node-gpu, the
 * 'tensorflow' backend with CUDA) is UNTESTED in this repository: no GPU host and no native binding are available.
 */
export async function createTfjsKernel(options: TfjsKernelOptions = {}): Promise<TfjsKernel> {
  const { tf, backend } = await loadTfjs(options.preference ?? 'auto');
  // Filter tensors, kept across calls (outside every tidy) and freed by dispose().
  const filters = new Map<string, Tensor4D>();
  let disposed = false;

  const filter = (key: string, make: () => Tensor4D): Tensor4D => {
    if (disposed) throw new PakatiError('INTERNAL', 'This tfjs analysis kernel has been disposed');
    let f = filters.get(key);
    if (!f) {
      f = tf.tidy(make);
      filters.set(key, f);
    }
    return f;
  };

  const laplacianFilter = () => filter('laplacian', () => tf.tensor4d(LAPLACIAN, [3, 3, 1, 1]));
  const sobelFilter = () =>
    filter('sobel', () => {
      // [3, 3, 1, 2]: output channel 0 is gx, 1 is gy.
      const values: number[] = [];
      for (let i = 0; i < 9; i++) values.push(SOBEL_X[i]!, SOBEL_Y[i]!);
      return tf.tensor4d(values, [3, 3, 1, 2]);
    });
  const gaussianFilters = (sigma: number): [Tensor4D, Tensor4D, number] => {
    const taps = Float32Array.from(gaussianKernel(sigma));
    const n = taps.length;
    const horizontal = filter(`gauss-h:${sigma}`, () => tf.tensor4d(taps, [1, n, 1, 1]));
    const vertical = filter(`gauss-v:${sigma}`, () => tf.tensor4d(taps, [n, 1, 1, 1]));
    return [horizontal, vertical, (n - 1) / 2];
  };

  const run = async (
    values: Float32Array,
    width: number,
    height: number,
    compute: (input: Tensor4D) => Tensor,
  ): Promise<Float32Array> => {
    assertPlane(values, width, height);
    // tf.tensor does not write to `values`, and no op works in place, so the caller's plane is left untouched.
    const output = tf.tidy(() => compute(tf.tensor4d(values, [1, height, width, 1])));
    try {
      const data = await output.data();
      // A fresh array: some backends hand back their own storage, which dispose() then releases.
      return data instanceof Float32Array ? data.slice() : Float32Array.from(data as ArrayLike<number>);
    } finally {
      output.dispose();
    }
  };

  const conv3x3 = (input: Tensor4D, kernel: Tensor4D): Tensor4D =>
    tf.conv2d(padReplicate(tf, padReplicate(tf, input, 1, 1), 2, 1), kernel, 1, 'valid');

  return {
    name: `tfjs-${backend}`,
    backend,
    async blur(values, width, height, sigma) {
      const [horizontal, vertical, radius] = gaussianFilters(sigma);
      return run(values, width, height, (input) => {
        const rows = tf.conv2d(padReplicate(tf, input, 2, radius), horizontal, 1, 'valid');
        return tf.conv2d(padReplicate(tf, rows, 1, radius), vertical, 1, 'valid');
      });
    },
    async laplacian(values, width, height) {
      const kernel = laplacianFilter();
      return run(values, width, height, (input) => conv3x3(input, kernel));
    },
    async sobel(values, width, height) {
      const kernel = sobelFilter();
      return run(values, width, height, (input) => tf.sqrt(tf.sum(tf.square(conv3x3(input, kernel)), 3)));
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const f of filters.values()) f.dispose();
      filters.clear();
    },
  };
}
