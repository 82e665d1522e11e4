import type { Backend, QueueCounts } from './system-api';

/** How often the system panel asks again while the page is visible. */
export const SYSTEM_REFRESH_MS = 5000;

/** 0.953 -> "95%"; null (no calls yet) -> "—". */
export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${Math.round(rate * 100)}%`;
}

/** 1234.5 -> "1.2 s", 87 -> "87 ms"; null -> "—". */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** How long ago an instant was, coarse enough not to flicker between refreshes: "4 s ago", "3 min ago". */
export function formatAge(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  return `${Math.floor(minutes / 60)} h ago`;
}

/** The generation modes a backend reported, in a short list; null until a worker has reported it. */
export function capabilityList(capabilities: Backend['capabilities']): string[] {
  if (!capabilities) return [];
  const modes: [boolean, string][] = [
    [capabilities.txt2img, 'txt2img'],
    [capabilities.img2img, 'img2img'],
    [capabilities.inpainting, 'inpainting'],
    [capabilities.regionalPrompting, 'regional prompts'],
    [capabilities.negativePrompt, 'negative prompt'],
  ];
  return modes.filter(([on]) => on).map(([, name]) => name);
}

/** Jobs not yet taken by a worker: every waiting state, whether or not it has a priority or a backoff. */
export function queueBacklog(queue: QueueCounts): number {
  return queue.waiting + queue.prioritized + queue.delayed + queue.waitingChildren;
}

/** A GPU's memory in use, "3.1 / 24.0 GB"; null on a CPU or before the first report. */
export function formatMemory(
  usedMb: number | null | undefined,
  totalMb: number | null | undefined,
): string | null {
  if (totalMb === null || totalMb === undefined) return null;
  const gb = (mb: number) => (mb / 1024).toFixed(1);
  return usedMb === null || usedMb === undefined ? `${gb(totalMb)} GB` : `${gb(usedMb)} / ${gb(totalMb)} GB`;
}
