export {
  type AnyJobContract,
  composeRunJob,
  JOB_CONTRACTS,
  QUEUE_NAMES,
  type QueueName,
  regionJobId,
  renderRegionJob,
  understandReferenceJob,
} from './contracts.ts';
export { defineJob, type JobContract, type JobPayload } from './job-contract.ts';
export { DEFAULT_JOB_OPTIONS, JobQueues } from './job-queues.ts';
