import { PakatiError } from '../errors.ts';
import type { WorkflowDefinition, WorkflowStep } from './workflow-definition.ts';

/** The step whose image this step works on, or null for a step that starts from nothing (generate). */
export const inputOf = (step: WorkflowStep): string | null => ('input' in step ? step.input : null);

/** Everything a step waits for: its declared dependencies and its input. */
export function dependenciesOf(step: WorkflowStep): string[] {
  const input = inputOf(step);
  return [...new Set(input ? [...step.dependsOn, input] : step.dependsOn)];
}

/**
 * Kahn's algorithm in rounds: each level holds the steps whose dependencies are all in earlier levels, so a level's
 * steps can run in parallel and the levels run in order. Steps keep their declared order within a level, so the
 * same definition always gives the same plan. A cycle is an `INVALID_WORKFLOW` error naming one cycle's steps.
 */
export function workflowLevels(definition: Pick<WorkflowDefinition, 'steps'>): string[][] {
  const pending = new Map(definition.steps.map((s) => [s.id, new Set(dependenciesOf(s))]));
  const levels: string[][] = [];
  while (pending.size > 0) {
    const ready = [...pending].filter(([, deps]) => deps.size === 0).map(([id]) => id);
    if (ready.length === 0) {
      const cycle = findCycle(pending);
      throw new PakatiError('INVALID_WORKFLOW', `the steps form a cycle: ${cycle.join(' -> ')}`, {
        reason: 'CYCLE',
        path: 'steps',
        cycle,
      });
    }
    for (const id of ready) pending.delete(id);
    for (const deps of pending.values()) for (const id of ready) deps.delete(id);
    levels.push(ready);
  }
  return levels;
}

/** Follows unmet dependencies from any blocked step until a step repeats: the repeat closes a cycle. */
function findCycle(pending: Map<string, Set<string>>): string[] {
  const path: string[] = [];
  let current = pending.keys().next().value as string;
  while (!path.includes(current)) {
    path.push(current);
    current = [...pending.get(current)!].find((d) => pending.has(d))!;
  }
  return [...path.slice(path.indexOf(current)), current];
}

/** The size of every step's image: a generate step makes the canvas, an upscale multiplies, the rest keep size. */
export function workflowImageSizes(
  definition: WorkflowDefinition,
  canvas: { width: number; height: number },
): Map<string, { width: number; height: number }> {
  const byId = new Map(definition.steps.map((s) => [s.id, s]));
  const sizes = new Map<string, { width: number; height: number }>();
  for (const id of workflowLevels(definition).flat()) {
    const step = byId.get(id)!;
    const input = inputOf(step);
    const base = input ? sizes.get(input)! : { width: canvas.width, height: canvas.height };
    const factor = step.kind === 'upscale' ? step.factor : 1;
    sizes.set(id, { width: base.width * factor, height: base.height * factor });
  }
  return sizes;
}
