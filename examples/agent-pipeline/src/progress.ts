/** A live progress line on a terminal; plain lines every 10% when output is not a terminal. */
export class Progress {
  #lastDecile = -1;
  #lastDraw = 0;
  #lastDone = -1;
  readonly #tty: boolean;

  constructor(
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {
    this.#tty = Boolean(out.isTTY);
  }

  update(done: number, detail: string, force = false): void {
    const pct = this.total === 0 ? 100 : Math.floor((done / this.total) * 100);
    if (this.#tty) {
      const now = Date.now();
      if (!force && now - this.#lastDraw < 100) return;
      this.#lastDraw = now;
      const width = 24;
      const filled = Math.round((pct / 100) * width);
      this.out.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${detail}`);
    } else {
      const decile = Math.floor(pct / 10);
      if (decile === this.#lastDecile && (!force || this.#lastDone === done)) return;
      this.#lastDone = done;
      this.#lastDecile = decile;
      this.out.write(`progress ${pct}%: ${detail}\n`);
    }
  }

  /** Prints a line of its own without tearing the progress line. */
  note(line: string): void {
    this.out.write(this.#tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }

  end(): void {
    if (this.#tty) this.out.write('\n');
  }
}
