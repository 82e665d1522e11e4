export {
  type FileSystemSaverOptions,
  fileSystemLoader,
  fileSystemSaver,
  type ModelFiles,
  readModelFiles,
} from './file-io.ts';
export { embedPrompt, seededLatent } from './generator-inputs.ts';
export {
  createTfjsModelBackend,
  type TfjsGenerationResult,
  type TfjsModelBackend,
  type TfjsModelBackendOptions,
  type TfjsModelInfo,
} from './tfjs-model-backend.ts';
export { loadTfjs, type Tf, type TfjsPreference, type TfjsRuntime } from './tfjs-runtime.ts';
