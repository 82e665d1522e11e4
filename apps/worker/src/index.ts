export { BACKEND_FACTORIES, BackendRegistry } from './backend-registry.ts';
export { buildRegistry, defineProcessor, type Processor } from './processor-registry.ts';
export { PROCESSORS, startWorkers } from './worker-host.ts';
export { startWorkerHttp, type WorkerHttp, type WorkerHttpSource } from './worker-http.ts';
export { createWorkerMetrics, type WorkerMetrics } from './worker-metrics.ts';
