'use client';

import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { formatScore } from '../../lib/runs/progress-text';
import type { ScoreChart as ScoreChartData } from '../../lib/runs/score-chart';

/** Per-region scores over iterations, with the same numbers as a table for screen readers and copying. */
export function ScoreChart({ chart }: { chart: ScoreChartData }) {
  if (chart.data.length === 0) return null;
  return (
    <figure className="runs-chart">
      <LineChart responsive data={chart.data} style={{ width: '100%', aspectRatio: 2, maxHeight: 320 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis
          dataKey="iteration"
          label={{ value: 'iteration', position: 'insideBottomRight', offset: -4 }}
        />
        <YAxis domain={[0, 1]} />
        <Tooltip formatter={(value) => (typeof value === 'number' ? formatScore(value) : String(value))} />
        <Legend />
        {chart.series.map((s) => (
          <Line
            key={s.key}
            type="monotone"
            dataKey={s.key}
            name={s.label}
            stroke={s.color}
            strokeWidth={s.regionId === null ? 3 : 1.5}
            connectNulls
            isAnimationActive={false}
          />
        ))}
      </LineChart>
      <details>
        <summary>Scores as a table</summary>
        <table data-testid="score-table">
          <thead>
            <tr>
              <th scope="col">Iteration</th>
              {chart.series.map((s) => (
                <th key={s.key} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {chart.data.map((point) => (
              <tr key={point.iteration} data-iteration={point.iteration}>
                <th scope="row">{point.iteration}</th>
                {chart.series.map((s) => (
                  <td key={s.key}>{formatScore(point[s.key] ?? null)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
