import type { WorkerCapability } from '@pakati/jobs';
import type { Redis } from 'ioredis';

/** `draining`: closing gracefully, finishing or releasing its jobs; `out-of-memory`: about to exit for a restart. */
export type WorkerState = 'ready' | 'draining' | 'out-of-memory';

export interface WorkerDevice {
  kind: 'cpu' | 'gpu';
  name: string;
  /** GPU memory; null on a CPU-only worker. */
  memoryTotalMb: number | null;
  memoryUsedMb: number | null;
}

export interface JobInHand {
  queue: string;
  name: string;
  jobId: string;
  runId: string | null;
  startedAt: number;
}

export interface WorkerRecord {
  /** host:pid:random, so a restarted process on the same host and pid is a new worker. */
  id: string;
  host: string;
  pid: number;
  startedAt: number;
  device: WorkerDevice;
  /** The TensorFlow.js backend this process gets ('tensorflow', 'wasm' or 'cpu'), null when none loads. */
  tfjsBackend: string | null;
  analysisKernel: string;
  analysisKernelReason: string;
  semanticAnalyzers: string[];
  visionJudge: string | null;
  /** Generation backends this worker hosts. */
  backends: string[];
  capabilities: WorkerCapability[];
  queues: { name: string; concurrency: number }[];
  jobs: JobInHand[];
  state: WorkerState;
  heartbeatMs: number;
  /** Redis server time of the last heartbeat, so clock skew between hosts cannot drop a live worker. */
  lastHeartbeatAt: number;
}

/** Heartbeats a worker may miss before it counts as gone (its record expires at the same moment). */
export const MISSED_HEARTBEATS = 3;

/**
 * The worker fleet in Redis: each worker rewrites its record every heartbeat with a TTL of a few intervals, so a
 * worker that dies without a word simply expires. The jobs it held are not this registry's business: BullMQ's
 * stalled-job check hands them to another worker once their locks lapse.
 */
export class WorkerFleet {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get index() {
    return `${this.prefix}:workers`;
  }

  private key(id: string) {
    return `${this.prefix}:worker:${id}`;
  }

  private async now(): Promise<number> {
    const [seconds, micros] = await this.redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  async beat(record: Omit<WorkerRecord, 'lastHeartbeatAt'>): Promise<void> {
    const stored: WorkerRecord = { ...record, lastHeartbeatAt: await this.now() };
    await this.redis.set(
      this.key(record.id),
      JSON.stringify(stored),
      'PX',
      record.heartbeatMs * MISSED_HEARTBEATS,
    );
    await this.redis.sadd(this.index, record.id);
  }

  /** A worker closing gracefully leaves at once instead of lingering until its record expires. */
  async remove(id: string): Promise<void> {
    await this.redis.del(this.key(id));
    await this.redis.srem(this.index, id);
  }

  /** Workers that beat within their last few intervals, by host and id; expired ids are dropped from the index. */
  async list(): Promise<WorkerRecord[]> {
    const ids = await this.redis.smembers(this.index);
    if (ids.length === 0) return [];
    const [values, now] = await Promise.all([this.redis.mget(ids.map((id) => this.key(id))), this.now()]);
    const gone = ids.filter((_, i) => values[i] === null);
    if (gone.length) await this.redis.srem(this.index, ...gone);
    return values
      .filter((value): value is string => value !== null)
      .map((value) => JSON.parse(value) as WorkerRecord)
      .filter((w) => now - w.lastHeartbeatAt < w.heartbeatMs * MISSED_HEARTBEATS)
      .sort((a, b) => a.host.localeCompare(b.host) || a.id.localeCompare(b.id));
  }
}
