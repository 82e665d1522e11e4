import { PakatiError } from '../errors.ts';
import type { BackendCapabilities } from './image-backend.ts';

export type Operation = 'generate' | 'img2img' | 'inpaint';
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface TaskRequirements {
  operation: Operation;
  width: number;
  height: number;
  needsNegativePrompt?: boolean;
  needsRegionalPrompting?: boolean;
  needsDeterministicSeeds?: boolean;
  /** A backend named on the region or the run: it leads the ranking whenever it is able to do the task. */
  explicitBackend?: string | null;
}

export interface BackendPerformance {
  successes: number;
  failures: number;
  p50LatencyMs: number | null;
}

export interface BackendStatus {
  name: string;
  capabilities: BackendCapabilities;
  circuit: CircuitState;
  /** Requests that may start now without exceeding the provider's rate limit (Infinity when unlimited). */
  rateHeadroom: number;
  performance: BackendPerformance;
}

export interface Selection {
  /** Best first; the rest are failover candidates in order. */
  ranked: string[];
  rejected: { name: string; reasons: string[] }[];
}

const OPERATION_CAPABILITY: Record<Operation, keyof BackendCapabilities> = {
  generate: 'txt2img',
  img2img: 'img2img',
  inpaint: 'inpainting',
};

function missing(task: TaskRequirements, b: BackendStatus): string[] {
  const c = b.capabilities;
  const reasons: string[] = [];
  if (!c[OPERATION_CAPABILITY[task.operation]]) reasons.push(`cannot ${task.operation}`);
  if (task.needsNegativePrompt && !c.negativePrompt) reasons.push('no negative prompt');
  if (task.needsRegionalPrompting && !c.regionalPrompting) reasons.push('no regional prompting');
  if (task.needsDeterministicSeeds && !c.deterministicSeeds) reasons.push('no deterministic seeds');
  if (b.circuit === 'open') reasons.push('circuit open');
  if (b.rateHeadroom <= 0) reasons.push('rate limit reached');
  return reasons;
}

/**
 * Higher is better. Success rate uses a Beta(4, 1) prior so a new backend starts optimistic but a few
 * failures sink it; latency, cost and having to shrink the image below the asked size pull the score down.
 */
export function scoreBackend(task: TaskRequirements, b: BackendStatus): number {
  const { successes, failures, p50LatencyMs } = b.performance;
  const successRate = (successes + 4) / (successes + failures + 5);
  const latency = p50LatencyMs === null ? 0.3 : p50LatencyMs / (p50LatencyMs + 10_000);
  const cost = b.capabilities.costPerImage / (b.capabilities.costPerImage + 0.05);
  const clamped = task.width > b.capabilities.maxWidth || task.height > b.capabilities.maxHeight ? 1 : 0;
  const halfOpen = b.circuit === 'half-open' ? 1 : 0;
  // A classical fill (PatchMatch) cannot follow a prompt: it is the fallback, not the first choice, for inpainting.
  const promptBlind = task.operation !== 'generate' && !b.capabilities.txt2img ? 1 : 0;
  return successRate - 0.3 * latency - 0.2 * cost - 0.15 * clamped - 0.2 * halfOpen - 0.3 * promptBlind;
}

/** Filters by what the task needs, ranks by recorded performance; throws NO_CAPABLE_BACKEND naming what was missing. */
export function selectBackends(task: TaskRequirements, backends: readonly BackendStatus[]): Selection {
  const rejected: Selection['rejected'] = [];
  const capable: { name: string; score: number }[] = [];
  for (const b of backends) {
    const reasons = missing(task, b);
    if (reasons.length) rejected.push({ name: b.name, reasons });
    else capable.push({ name: b.name, score: scoreBackend(task, b) });
  }
  if (task.explicitBackend && !backends.some((b) => b.name === task.explicitBackend)) {
    throw new PakatiError('NO_CAPABLE_BACKEND', `backend "${task.explicitBackend}" is not enabled`, {
      backend: task.explicitBackend,
    });
  }
  if (capable.length === 0) {
    const summary = rejected.map((r) => `${r.name}: ${r.reasons.join(', ')}`).join('; ');
    throw new PakatiError(
      'NO_CAPABLE_BACKEND',
      `no enabled backend can ${task.operation} here (${summary || 'none enabled'})`,
      {
        operation: task.operation,
        rejected,
      },
    );
  }
  capable.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
  const ranked = capable.map((c) => c.name);
  const explicit = task.explicitBackend ? ranked.indexOf(task.explicitBackend) : -1;
  if (explicit > 0) ranked.unshift(...ranked.splice(explicit, 1));
  return { ranked, rejected };
}
