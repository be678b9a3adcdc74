/** A one-line progress bar on stderr (a plain line per update when stderr is not a terminal). */
export class Progress {
  private done = 0;
  private failed = 0;
  private readonly started = Date.now();
  private current = '';

  constructor(private readonly total: number, private readonly stream: NodeJS.WriteStream = process.stderr) {}

  setCurrent(label: string): void {
    this.current = label;
    this.render();
  }

  tick(label: string, ok: boolean): void {
    this.done++;
    if (!ok) this.failed++;
    this.current = label;
    this.render(true);
  }

  private render(force = false): void {
    const frac = this.total ? this.done / this.total : 1;
    const width = 24;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '-');
    const elapsed = (Date.now() - this.started) / 1000;
    const eta = this.done > 0 ? ((this.total - this.done) * elapsed) / this.done : NaN;
    const line = `[${bar}] ${this.done}/${this.total} jobs${this.failed ? ` (${this.failed} failed)` : ''}  ${fmt(elapsed)} elapsed, ETA ${Number.isFinite(eta) ? fmt(eta) : '?'}  ${this.current}`;
    if (this.stream.isTTY) this.stream.write(`\r\x1b[2K${line.slice(0, (this.stream.columns ?? 120) - 1)}`);
    else if (force) this.stream.write(`${line}\n`);
  }

  end(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}

export function fmt(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
