import { clampFraction } from './run-event';

/** Whole percent 0..100 for a progress bar; floored so 99.6 % does not read as done. */
export function progressPercent(fraction: number): number {
  return Math.floor(clampFraction(fraction) * 100);
}

/** "about 45 s left", "about 3 min 5 s left", "about 1 h 20 min left"; null when unknown. */
export function formatEta(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return null;
  if (seconds < 1) return 'almost done';
  const total = Math.round(seconds);
  if (total < 60) return `about ${total} s left`;
  if (total < 3600) {
    const min = Math.floor(total / 60);
    const s = total % 60;
    return `about ${min} min${s ? ` ${s} s` : ''} left`;
  }
  const minutes = Math.round(total / 60);
  const h = Math.floor(minutes / 60);
  const min = minutes % 60;
  return `about ${h} h${min ? ` ${min} min` : ''} left`;
}

/** "1st in queue", "2nd in queue", "11th in queue". */
export function formatQueuePosition(position: number): string {
  const mod100 = position % 100;
  const suffix =
    mod100 >= 11 && mod100 <= 13
      ? 'th'
      : position % 10 === 1
        ? 'st'
        : position % 10 === 2
          ? 'nd'
          : position % 10 === 3
            ? 'rd'
            : 'th';
  return `${position}${suffix} in queue`;
}

/** Scores are 0..1; shown as "0.734". */
export function formatScore(score: number | null): string {
  return score === null ? '–' : score.toFixed(3);
}
