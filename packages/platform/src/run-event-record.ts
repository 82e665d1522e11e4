import type { RunEventType } from '@pakati/db';

/** One entry of a run's event log, as stored, published and streamed. */
export interface RunEventRecord {
  runId: string;
  seq: number;
  type: RunEventType;
  payload: Record<string, unknown>;
  at: string;
}

export const isTerminalEvent = (e: RunEventRecord) =>
  e.type === 'COMPLETED' || e.type === 'FAILED' || e.type === 'CANCELLED';
