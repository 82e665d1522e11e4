export {
  type AnyJobContract,
  JOB_CONTRACTS,
  QUEUE_NAMES,
  type QueueName,
  renderRunJob,
} from './contracts.ts';
export { defineJob, type JobContract, type JobPayload } from './job-contract.ts';
export { DEFAULT_JOB_OPTIONS, JobQueues } from './job-queues.ts';
