import { memo } from 'react';

export interface SparklineProps {
  /** Oldest first; NaN where there was no figure (drawn as 0). */
  values: number[];
  /** The top of the scale: 100 for percentages, the series' maximum for rates. */
  max: number;
  width?: number;
  height?: number;
}

/** A small line graph of the last samples; decorative (the cell's text carries the figure). */
export const Sparkline = memo(function Sparkline({ values, max, width = 64, height = 18 }: SparklineProps) {
  if (values.length < 2) return <svg className="sparkline" width={width} height={height} aria-hidden="true" />;
  const step = width / (values.length - 1);
  const top = max > 0 ? max : 1;
  let points = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const y = height - 1 - (Number.isFinite(v) ? Math.min(1, Math.max(0, v / top)) : 0) * (height - 2);
    points += `${(i * step).toFixed(1)},${y.toFixed(1)} `;
  }
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true">
      <polygon className="sparkline-fill" points={`0,${height} ${points}${width},${height}`} />
      <polyline className="sparkline-line" points={points} />
    </svg>
  );
});
