import { PakatiError } from '../errors.ts';

/**
 * Earth mover's distances. In one dimension the optimal transport cost is the area between the two cumulative
 * distributions, so histograms get an exact closed form; small discrete distributions (palettes) get an exact
 * min-cost flow.
 */

const FLOW_EPSILON = 1e-12;

function normalised(values: ArrayLike<number>, what: string): Float64Array {
  const out = new Float64Array(values.length);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= 0) || !Number.isFinite(v)) {
      throw new PakatiError('BAD_USER_INPUT', `${what} must be finite and non-negative`, {
        index: i,
        value: v,
      });
    }
    out[i] = v;
    total += v;
  }
  if (total <= 0) throw new PakatiError('BAD_USER_INPUT', `${what} has no mass`);
  for (let i = 0; i < out.length; i++) out[i]! /= total;
  return out;
}

/** EMD between two histograms over the same equal-width bins, in the bins' units (both are normalised first). */
export function histogramEmd(p: ArrayLike<number>, q: ArrayLike<number>, binWidth: number): number {
  if (p.length !== q.length) {
    throw new PakatiError('BAD_USER_INPUT', 'Histograms must have the same number of bins', {
      lengths: [p.length, q.length],
    });
  }
  const pn = normalised(p, 'Histogram');
  const qn = normalised(q, 'Histogram');
  let cumulative = 0;
  let area = 0;
  for (let i = 0; i < pn.length - 1; i++) {
    cumulative += pn[i]! - qn[i]!;
    area += Math.abs(cumulative);
  }
  return area * binWidth;
}

/**
 * EMD between two weighted point sets under a ground distance, solved exactly as a min-cost flow (successive
 * shortest paths with Bellman-Ford, which tolerates the negative costs of residual edges). Meant for a handful
 * of points per side: the cost grows with the cube of the point count.
 */
export function discreteEmd(
  supply: ArrayLike<number>,
  demand: ArrayLike<number>,
  distance: (i: number, j: number) => number,
): number {
  const a = normalised(supply, 'Supply');
  const b = normalised(demand, 'Demand');
  const m = a.length;
  const n = b.length;
  const nodes = m + n + 2;
  const source = 0;
  const sink = nodes - 1;
  const residual = new Float64Array(nodes * nodes);
  const cost = new Float64Array(nodes * nodes);
  for (let i = 0; i < m; i++) residual[source * nodes + 1 + i] = a[i]!;
  for (let j = 0; j < n; j++) residual[(1 + m + j) * nodes + sink] = b[j]!;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const u = 1 + i;
      const v = 1 + m + j;
      const c = distance(i, j);
      residual[u * nodes + v] = Number.POSITIVE_INFINITY;
      cost[u * nodes + v] = c;
      cost[v * nodes + u] = -c;
    }
  }

  const dist = new Float64Array(nodes);
  const previous = new Int32Array(nodes);
  let moved = 0;
  let total = 0;
  while (moved < 1 - FLOW_EPSILON) {
    dist.fill(Number.POSITIVE_INFINITY);
    previous.fill(-1);
    dist[source] = 0;
    for (let round = 0; round < nodes - 1; round++) {
      let changed = false;
      for (let u = 0; u < nodes; u++) {
        const du = dist[u]!;
        if (du === Number.POSITIVE_INFINITY) continue;
        for (let v = 0; v < nodes; v++) {
          if (residual[u * nodes + v]! <= FLOW_EPSILON) continue;
          const candidate = du + cost[u * nodes + v]!;
          if (candidate < dist[v]! - FLOW_EPSILON) {
            dist[v] = candidate;
            previous[v] = u;
            changed = true;
          }
        }
      }
      if (!changed) break;
    }
    if (previous[sink] === -1) break;
    let push = 1 - moved;
    for (let v = sink; v !== source; v = previous[v]!) {
      push = Math.min(push, residual[previous[v]! * nodes + v]!);
    }
    for (let v = sink; v !== source; v = previous[v]!) {
      const u = previous[v]!;
      residual[u * nodes + v]! -= push;
      residual[v * nodes + u]! += push;
    }
    moved += push;
    total += push * dist[sink]!;
  }
  return total;
}
