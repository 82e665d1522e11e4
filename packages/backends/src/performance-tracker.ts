import type { BackendPerformance } from '@pakati/core';
import type { CallOutcome } from './resilient-backend.ts';

/** A rolling window of call outcomes per backend: what the selector ranks on. */
export class PerformanceTracker {
  private readonly windows = new Map<string, CallOutcome[]>();

  constructor(private readonly windowSize = 100) {}

  record(outcome: CallOutcome): void {
    if (outcome.errorKind === 'CANCELLED') return; // says nothing about the backend
    const window = this.windows.get(outcome.backend) ?? [];
    window.push(outcome);
    if (window.length > this.windowSize) window.shift();
    this.windows.set(outcome.backend, window);
  }

  performance(backend: string): BackendPerformance {
    const window = this.windows.get(backend) ?? [];
    const ok = window.filter((o) => o.ok);
    const latencies = ok.map((o) => o.latencyMs).sort((a, b) => a - b);
    return {
      successes: ok.length,
      failures: window.length - ok.length,
      p50LatencyMs: latencies.length ? latencies[Math.floor((latencies.length - 1) / 2)]! : null,
    };
  }
}
