import { createRequire } from 'node:module';
import path from 'node:path';
import * as tfjs from '@tensorflow/tfjs';

export type Tf = typeof tfjs;
export type TfjsPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface TfjsRuntime {
  tf: Tf;
  /** The tfjs backend really in use: 'tensorflow' (libtensorflow via tfjs-node[-gpu]), 'wasm' or 'cpu'. */
  backend: string;
}

// The native bindings are optional: GPU hosts install them, this repository does not depend on them (their
// install step downloads libtensorflow). The GPU build goes first because it falls back to CPU kernels itself.
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

// The tfjs engine is process-global, so a second loader would only fight over the active backend.
const loads = new Map<TfjsPreference, Promise<TfjsRuntime>>();

/**
 * The fastest tfjs runtime this process can get. 'auto' tries tfjs-node-gpu, tfjs-node, wasm and finally the
 * pure-JS cpu backend; any other preference asks for exactly that backend and rejects when it is not available.
 * Memoized per preference; a failed load is forgotten so a later call can try again.
 */
export function loadTfjs(preference: TfjsPreference = 'auto'): Promise<TfjsRuntime> {
  let pending = loads.get(preference);
  if (!pending) {
    pending = pickRuntime(preference);
    loads.set(preference, pending);
    pending.catch(() => loads.delete(preference));
  }
  return pending;
}

async function pickRuntime(preference: TfjsPreference): Promise<TfjsRuntime> {
  const failures: string[] = [];
  if (preference === 'auto' || preference === 'tensorflow') {
    for (const name of NATIVE_PACKAGES) {
      try {
        const tf = await importNative(name);
        if (await tf.setBackend('tensorflow')) return { tf, backend: 'tensorflow' };
        failures.push(`${name}: the tensorflow backend did not initialise`);
      } catch (error) {
        failures.push(`${name}: ${describe(error)}`);
      }
    }
  }
  if (preference === 'auto' || preference === 'wasm') {
    try {
      if (await initWasm()) return { tf: tfjs, backend: 'wasm' };
      failures.push('wasm: the backend did not initialise');
    } catch (error) {
      failures.push(`wasm: ${describe(error)}`);
    }
  }
  if (preference === 'auto' || preference === 'cpu') {
    if (await tfjs.setBackend('cpu')) return { tf: tfjs, backend: 'cpu' };
    failures.push('cpu: the backend did not initialise');
  }
  throw new Error(`no tfjs runtime for preference '${preference}' (${failures.join('; ')})`);
}

async function importNative(name: string): Promise<Tf> {
  // A variable specifier keeps TypeScript and Vite from resolving a package that is usually not installed.
  const mod = (await import(/* @vite-ignore */ name)) as { default?: Tf } & Partial<Tf>;
  // CommonJS: `default` is the whole module.exports, the named exports only what Node's lexer could see.
  const tf = (typeof mod.default?.setBackend === 'function' ? mod.default : mod) as Tf;
  if (typeof tf.setBackend !== 'function') throw new Error('not a tfjs module');
  return tf;
}

let wasmInit: Promise<boolean> | undefined;

function initWasm(): Promise<boolean> {
  wasmInit ??= (async () => {
    // Importing the package registers the 'wasm' backend with the engine @tensorflow/tfjs uses (one tfjs-core).
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // Emscripten in Node reads the binary with fs, so a directory path (with its trailing separator) is what
    // it needs; without it the lookup is relative to a script URL that does not exist in bundled/ESM setups.
    const require = createRequire(import.meta.url);
    const distDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    wasm.setWasmPaths(distDir + path.sep);
    return tfjs.setBackend('wasm');
  })();
  return wasmInit;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 200);
}
