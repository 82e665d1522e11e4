import { describe, expect, it } from 'vitest';
import {
  capabilityList,
  formatAge,
  formatLatency,
  formatMemory,
  formatRate,
  queueBacklog,
} from '../lib/settings/system-format';

describe('system formatting', () => {
  it('formats rates and latencies, with a dash before any call', () => {
    expect(formatRate(0.953)).toBe('95%');
    expect(formatRate(null)).toBe('—');
    expect(formatLatency(87.4)).toBe('87 ms');
    expect(formatLatency(1234.5)).toBe('1.2 s');
    expect(formatLatency(undefined)).toBe('—');
  });

  it('says how long ago a heartbeat was', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(formatAge('2026-01-01T11:59:56Z', now)).toBe('4 s ago');
    expect(formatAge('2026-01-01T11:57:00Z', now)).toBe('3 min ago');
    expect(formatAge('2026-01-01T09:00:00Z', now)).toBe('3 h ago');
    // A worker's clock slightly ahead of the browser's is not "in the future".
    expect(formatAge('2026-01-01T12:00:02Z', now)).toBe('0 s ago');
  });

  it('lists the modes a backend supports', () => {
    expect(
      capabilityList({
        txt2img: true,
        img2img: false,
        inpainting: true,
        negativePrompt: true,
        regionalPrompting: false,
        maxWidth: 1024,
        maxHeight: 1024,
      }),
    ).toEqual(['txt2img', 'inpainting', 'negative prompt']);
    expect(capabilityList(null)).toEqual([]);
  });

  it('counts every job not yet taken as backlog', () => {
    expect(
      queueBacklog({
        name: 'generation',
        paused: false,
        waiting: 1,
        prioritized: 2,
        delayed: 3,
        waitingChildren: 4,
        active: 50,
        failed: 60,
        completed: 70,
        workers: 1,
      }),
    ).toBe(10);
  });

  it('shows GPU memory and nothing for a CPU', () => {
    expect(formatMemory(3174, 24576)).toBe('3.1 / 24.0 GB');
    expect(formatMemory(null, 24576)).toBe('24.0 GB');
    expect(formatMemory(null, null)).toBeNull();
  });
});
