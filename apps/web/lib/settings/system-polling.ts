'use client';

import { useEffect, useRef } from 'react';

/**
 * Calls `tick` now and then every `intervalMs` while the document is visible; a hidden tab stops
 * asking and asks again as soon as it is shown. `tick` gets a signal aborted when the next one starts
 * or the component goes away, so a slow answer cannot overwrite a newer one.
 */
export function useVisiblePolling(tick: (signal: AbortSignal) => void, intervalMs: number): void {
  const latest = useRef(tick);
  latest.current = tick;

  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | null = null;
    let controller: AbortController | null = null;
    const run = () => {
      controller?.abort();
      controller = new AbortController();
      latest.current(controller.signal);
    };
    const stop = () => {
      if (timer !== null) clearInterval(timer);
      timer = null;
    };
    const start = () => {
      stop();
      run();
      timer = setInterval(run, intervalMs);
    };
    const onVisibility = () => (document.visibilityState === 'hidden' ? stop() : start());
    if (document.visibilityState !== 'hidden') start();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      stop();
      controller?.abort();
    };
  }, [intervalMs]);
}
