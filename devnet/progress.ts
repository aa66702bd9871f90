/** Progress lines for long start-up steps: what is happening, then how long it took or why it failed. */
export class Progress {
  constructor(private readonly out: NodeJS.WritableStream = process.stderr) {}

  async step<T>(title: string, work: () => Promise<T>): Promise<T> {
    this.out.write(`- ${title} ...\n`);
    const started = performance.now();
    try {
      const result = await work();
      this.out.write(`  done in ${formatDuration(performance.now() - started)}\n`);
      return result;
    } catch (error) {
      this.out.write(`  failed after ${formatDuration(performance.now() - started)}\n`);
      throw error;
    }
  }

  /** A line of a step's own output (e.g. Ignition's), indented under it. */
  detail(line: string): void {
    this.out.write(`    ${line}\n`);
  }

  warn(message: string): void {
    this.out.write(`! ${message}\n`);
  }
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
