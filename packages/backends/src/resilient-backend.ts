import {
  BackendError,
  type CircuitState,
  type GenerateParams,
  type GenerationResult,
  type ImageBackend,
  type Img2ImgParams,
  type InpaintParams,
  isBackendError,
  type OperationContext,
} from '@pakati/core';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  CircuitState as CockatielState,
  ConsecutiveBreaker,
  circuitBreaker,
  DelegateBackoff,
  handleWhen,
  IsolatedCircuitError,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import { backendDevice } from './backends-config.ts';

export interface ResilienceOptions {
  /** Per attempt. */
  timeoutMs: number;
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the caller fails over instead. */
  maxRetryAfterMs: number;
  /** Consecutive failures that open the circuit, and how long it stays open before a trial call. */
  breakerThreshold: number;
  halfOpenAfterMs: number;
  /** Calls in flight at once, and how many may wait for a slot before being refused. */
  concurrency: number;
  queue: number;
}

export const DEFAULT_RESILIENCE: ResilienceOptions = {
  timeoutMs: 120_000,
  maxAttempts: 3,
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 15_000,
  breakerThreshold: 5,
  halfOpenAfterMs: 30_000,
  concurrency: 4,
  queue: 64,
};

export interface CallOutcome {
  backend: string;
  operation: 'generate' | 'img2img' | 'inpaint';
  ok: boolean;
  latencyMs: number;
  errorKind?: string;
}

/** Failures that say something about the backend's health (not about our request or our cancel). */
const COUNTS_AGAINST_BACKEND = new Set([
  'RATE_LIMITED',
  'UNAVAILABLE',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'PROTOCOL',
]);

/**
 * Timeout, retry with exponential backoff and jitter (honouring Retry-After), a circuit breaker and a
 * concurrency limit around any backend, from cockatiel. Every failure comes out as a BackendError.
 */
export class ResilientBackend implements ImageBackend {
  private readonly policy;
  private readonly breaker;
  readonly name: string;
  readonly capabilities: ImageBackend['capabilities'];
  readonly generateRegional?: ImageBackend['generateRegional'];

  constructor(
    private readonly inner: ImageBackend,
    private readonly options: ResilienceOptions = DEFAULT_RESILIENCE,
    private readonly onOutcome: (outcome: CallOutcome) => void = () => {},
  ) {
    this.name = inner.name;
    this.capabilities = inner.capabilities;
    const regional = inner.generateRegional?.bind(inner);
    if (regional)
      this.generateRegional = (params, ctx) => this.call('generate', ctx, (c) => regional(params, c));
    const o = options;
    // A local backend out of memory is this worker's problem: the worker must see it at once and step aside.
    const localOutOfMemory = (e: unknown) =>
      isBackendError(e) && e.kind === 'OUT_OF_MEMORY' && backendDevice(inner.name) !== 'remote';
    const retryable = (e: unknown) =>
      isBackendError(e) &&
      e.retryable &&
      !localOutOfMemory(e) &&
      (e.details.retryAfterMs ?? 0) <= o.maxRetryAfterMs;
    const backoff = new DelegateBackoff(
      (ctx: { attempt: number; result: { error?: unknown } | { value: unknown } }) => {
        const error = 'error' in ctx.result ? ctx.result.error : undefined;
        const retryAfter = isBackendError(error) ? error.details.retryAfterMs : undefined;
        if (retryAfter !== undefined) return retryAfter;
        const exponential = Math.min(o.maxDelayMs, o.initialDelayMs * 2 ** (ctx.attempt - 1));
        return exponential / 2 + Math.random() * (exponential / 2);
      },
    );
    this.breaker = circuitBreaker(
      handleWhen((e) => isBackendError(e) && COUNTS_AGAINST_BACKEND.has(e.kind)),
      { halfOpenAfter: o.halfOpenAfterMs, breaker: new ConsecutiveBreaker(o.breakerThreshold) },
    );
    this.policy = wrap(
      retry(handleWhen(retryable), { maxAttempts: o.maxAttempts - 1, backoff }),
      this.breaker,
      bulkhead(o.concurrency, o.queue),
      timeout(o.timeoutMs, TimeoutStrategy.Aggressive),
    );
  }

  private readonly recentStarts: number[] = [];

  /**
   * Calls this worker may still start in the current minute under the provider's rate limit: the selector skips
   * a backend at zero rather than collect a 429. Per worker; several workers share a provider's limit loosely.
   */
  rateHeadroom(now = Date.now()): number {
    const limit = this.capabilities.rateLimitPerMinute;
    if (limit === null) return Number.POSITIVE_INFINITY;
    while (this.recentStarts.length && now - this.recentStarts[0]! >= 60_000) this.recentStarts.shift();
    return Math.max(0, limit - this.recentStarts.length);
  }

  get circuitState(): CircuitState {
    switch (this.breaker.state) {
      case CockatielState.Open:
      case CockatielState.Isolated:
        return 'open';
      case CockatielState.HalfOpen:
        return 'half-open';
      default:
        return 'closed';
    }
  }

  generate(params: GenerateParams, ctx: OperationContext): Promise<GenerationResult> {
    return this.call('generate', ctx, (c) => this.inner.generate(params, c));
  }

  img2img(params: Img2ImgParams, ctx: OperationContext): Promise<GenerationResult> {
    return this.call('img2img', ctx, (c) => this.inner.img2img(params, c));
  }

  inpaint(params: InpaintParams, ctx: OperationContext): Promise<GenerationResult> {
    return this.call('inpaint', ctx, (c) => this.inner.inpaint(params, c));
  }

  private async call(
    operation: CallOutcome['operation'],
    ctx: OperationContext,
    run: (ctx: OperationContext) => Promise<GenerationResult>,
  ): Promise<GenerationResult> {
    const started = performance.now();
    if (this.capabilities.rateLimitPerMinute !== null) this.recentStarts.push(Date.now());
    const report = (ok: boolean, errorKind?: string) =>
      this.onOutcome({
        backend: this.name,
        operation,
        ok,
        latencyMs: performance.now() - started,
        errorKind,
      });
    try {
      const result: GenerationResult = await this.policy.execute(async ({ signal }) => {
        try {
          return await run({ ...ctx, signal });
        } catch (error) {
          // The attempt's signal fired but the caller's did not: that was our timeout.
          if (signal.aborted && !ctx.signal.aborted) {
            throw new BackendError('TIMEOUT', this.name, `no answer within ${this.options.timeoutMs} ms`);
          }
          throw error;
        }
      }, ctx.signal);
      report(true);
      return result;
    } catch (error) {
      const translated = this.translate(error, ctx.signal);
      report(false, translated.kind);
      throw translated;
    }
  }

  private translate(error: unknown, signal: AbortSignal): BackendError {
    if (signal.aborted) return new BackendError('CANCELLED', this.name, 'cancelled');
    if (isBackendError(error)) return error;
    if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
      return new BackendError('UNAVAILABLE', this.name, 'circuit open after repeated failures');
    }
    if (error instanceof BulkheadRejectedError) {
      return new BackendError('RATE_LIMITED', this.name, 'concurrency limit reached');
    }
    if (error instanceof TaskCancelledError) {
      return new BackendError('TIMEOUT', this.name, `no answer within ${this.options.timeoutMs} ms`);
    }
    return new BackendError('UNAVAILABLE', this.name, (error as Error)?.message ?? String(error));
  }
}
