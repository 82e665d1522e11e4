export interface TqdmProgress {
  step: number;
  total: number;
}

// ` 40%|████      | 2/5 [00:01<00:01,  2.10it/s]`: percentage, bar, then done/total.
const TQDM_BAR = /(\d{1,3})%\|[^|\r\n]*\|\s*(\d+)\/(\d+)/g;

/**
 * The newest tqdm progress bar state in a prediction's logs, or undefined when there is none. tqdm redraws the
 * same bar (with \r or new lines), so the last match is the current state. Counts are read rather than the
 * percentage because tqdm rounds the percentage down.
 */
export function parseTqdmProgress(logs: string | null | undefined): TqdmProgress | undefined {
  if (!logs) return undefined;
  let last: RegExpMatchArray | undefined;
  for (const match of logs.matchAll(TQDM_BAR)) last = match;
  if (!last) return undefined;
  const step = Number(last[2]);
  const total = Number(last[3]);
  if (!(total > 0) || step > total) return undefined;
  return { step, total };
}
