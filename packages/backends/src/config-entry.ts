// A light entry point: the API validates backend names without loading adapters, sharp or TensorFlow.js.
export {
  BACKEND_NAMES,
  type BackendName,
  type BackendsConfig,
  loadBackendsConfig,
} from './backends-config.ts';
