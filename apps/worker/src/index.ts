export { PROCESSORS, startWorkers } from './worker-host.ts';
export { buildRegistry, defineProcessor, type Processor } from './processor-registry.ts';
