import cliProgress from 'cli-progress';

export interface Progress {
  update(value: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

/**
 * A progress bar on stderr. On a terminal it redraws in place; otherwise (CI, pipes) it prints a line every 10%,
 * so logs stay readable. Disabled entirely with `enabled: false`.
 */
export function createProgress(label: string, total: number, opts: { enabled: boolean; unit?: string }): Progress {
  if (!opts.enabled) return { update() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${label} [{bar}] {percentage}% | {detail} | ETA {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { detail: '' });
    return {
      update: (v, payload) => bar.update(Math.min(v, total), payload),
      stop: () => bar.stop(),
    };
  }
  let lastDecile = -1;
  return {
    update(v, payload) {
      const decile = Math.floor((10 * v) / Math.max(total, 1));
      if (decile > lastDecile && decile < 10) {
        lastDecile = decile;
        process.stderr.write(`${label}: ${decile * 10}%${payload?.detail ? ` (${payload.detail})` : ''}\n`);
      }
    },
    stop() {
      process.stderr.write(`${label}: 100%\n`);
    },
  };
}
