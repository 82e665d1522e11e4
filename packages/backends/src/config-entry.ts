// A light entry point: the API validates backend names without loading adapters, sharp or TensorFlow.js.
export {
  BACKEND_DEVICES,
  BACKEND_NAMES,
  type BackendDevice,
  type BackendName,
  type BackendsConfig,
  backendDevice,
  loadBackendsConfig,
} from './backends-config.ts';
