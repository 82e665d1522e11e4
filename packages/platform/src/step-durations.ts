import {
  DEFAULT_STEP_DURATIONS_MS,
  PakatiError,
  type ProgressPart,
  type ProgressStepKind,
} from '@pakati/core';
import type { Redis } from 'ioredis';

/** A new measurement moves the average a quarter of the way: a few runs adapt it, one outlier does not. */
const ALPHA = 0.25;

// Read, blend and write in one step: workers finishing steps of the same kind at once must not lose updates.
const UPDATE = `
for i = 1, #ARGV - 2 do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]))
  local sample = tonumber(ARGV[#ARGV - 1])
  local alpha = tonumber(ARGV[#ARGV])
  local next = sample
  if current then next = current + alpha * (sample - current) end
  redis.call('HSET', KEYS[1], ARGV[i], tostring(next))
end
return 1`;

const field = (kind: ProgressStepKind, backend?: string | null) => (backend ? `${kind}@${backend}` : kind);

/**
 * How long each kind of step takes, as an exponentially weighted moving average kept in Redis and shared by
 * every worker: per kind, and per kind and backend for steps a backend runs. Progress weights come from these.
 */
export class StepDurations {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get key() {
    return `${this.prefix}:step-durations`;
  }

  async record(kind: ProgressStepKind, ms: number, backend?: string | null): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new PakatiError('BAD_USER_INPUT', 'a step duration must be a non-negative number of ms', {
        kind,
        ms,
      });
    }
    const fields = backend ? [field(kind), field(kind, backend)] : [field(kind)];
    await this.redis.eval(UPDATE, 1, this.key, ...fields, String(ms), String(ALPHA));
  }

  /** Per part: the measured average of its backend, else of its kind, else the default for the kind. */
  async expected(parts: readonly ProgressPart[]): Promise<Map<string, number>> {
    const all = await this.redis.hgetall(this.key);
    const measured = (name: string) => (all[name] === undefined ? undefined : Number(all[name]));
    return new Map(
      parts.map((p) => [
        p.id,
        (p.backend ? measured(field(p.kind, p.backend)) : undefined) ??
          measured(field(p.kind)) ??
          DEFAULT_STEP_DURATIONS_MS[p.kind],
      ]),
    );
  }
}
