/**
 * Svix's schedule, as Standard Webhooks suggests: retries spread over about a day, so a receiver that is down
 * for a deploy or an outage of a few hours still gets every message.
 */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const MAX_RETRIES = 20;
const MAX_DELAY_MS = 7 * 24 * 3_600_000;

/**
 * `5s,5m,30m,2h` -> the delay before each retry in milliseconds (a bare number is milliseconds). Its length is
 * the number of retries after the first attempt.
 */
export function parseRetrySchedule(text: string): number[] {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new Error('needs at least one delay, e.g. 5s,5m,30m');
  if (parts.length > MAX_RETRIES) throw new Error(`at most ${MAX_RETRIES} retries`);
  return parts.map((part) => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(part);
    if (!match) throw new Error(`"${part}" is not a delay like 500, 5s, 5m or 2h`);
    const ms = Math.round(Number(match[1]) * UNIT_MS[(match[2] ?? 'ms') as keyof typeof UNIT_MS]);
    if (ms > MAX_DELAY_MS) throw new Error(`"${part}" is longer than 7 days`);
    return ms;
  });
}

/** The delay before the next attempt after `failedAttempts` failures in a row, or null when they are used up. */
export function retryDelay(schedule: readonly number[], failedAttempts: number): number | null {
  return schedule[failedAttempts - 1] ?? null;
}
