export { buildRegistry, defineProcessor, type Processor } from './processor-registry.ts';
export { PROCESSORS, startWorkers } from './worker-host.ts';
