import cliProgress from 'cli-progress';
import { type OutputStream, println } from './cli-io.ts';

/** How a run's progress reaches the terminal: a live bar on a TTY, plain lines elsewhere (logs, pipes). */
export interface ProgressDisplay {
  progress(fraction: number, etaSeconds: number | null, status: string): void;
  line(text: string): void;
  stop(): void;
}

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

const percent = (fraction: number) => Math.round(Math.min(1, Math.max(0, fraction)) * 100);

function barDisplay(stream: OutputStream): ProgressDisplay {
  const multibar = new cliProgress.MultiBar(
    {
      stream,
      format: '{bar} {percentage}% | ETA {eta_text} | {status}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = multibar.create(100, 0, { eta_text: '--', status: 'waiting' });
  let stopped = false;
  return {
    progress(fraction, etaSeconds, status) {
      if (!stopped) bar.update(percent(fraction), { eta_text: formatEta(etaSeconds), status });
    },
    line(text) {
      // The bar's log is written on its next redraw; once stopped there is none.
      if (stopped) println(stream, text);
      else multibar.log(`${text}\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      multibar.stop();
    },
  };
}

function lineDisplay(stream: OutputStream): ProgressDisplay {
  let last = -1;
  return {
    progress(fraction, etaSeconds, status) {
      const value = percent(fraction);
      // Repeats of the same percentage add nothing to a log.
      if (value === last) return;
      last = value;
      println(stream, `progress ${String(value).padStart(3)}% eta ${formatEta(etaSeconds)} ${status}`);
    },
    line(text) {
      println(stream, text);
    },
    stop() {},
  };
}

export function createProgressDisplay(stream: OutputStream): ProgressDisplay {
  return stream.isTTY ? barDisplay(stream) : lineDisplay(stream);
}
