export {
  type AnyJobContract,
  analyzeCandidateJob,
  composeRunJob,
  iterationJobId,
  JOB_CONTRACTS,
  QUEUE_NAMES,
  type QueueName,
  refineIterationJob,
  refineRegionJob,
  regionJobId,
  renderRegionJob,
  understandReferenceJob,
} from './contracts.ts';
export { defineJob, type JobContract, type JobPayload } from './job-contract.ts';
export { DEFAULT_JOB_OPTIONS, JobQueues } from './job-queues.ts';
