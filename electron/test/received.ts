// Test support: what one open console stream received, with waiting for a pattern and for the end.
import type { StreamHandle } from '../../shared/api/contract.js';
import type { ApiError } from '../../shared/models/error.js';

export class Received {
  text = '';
  ended: ApiError | null | undefined = undefined;
  private wake: (() => void)[] = [];
  readonly sink = {
    data: (bytes: Uint8Array) => {
      this.text += Buffer.from(bytes).toString('latin1');
      this.notify();
    },
    end: (error: ApiError | null) => {
      this.ended = error;
      this.notify();
    },
  };
  private notify() {
    for (const w of this.wake.splice(0)) w();
  }
  async until(check: () => boolean, what: string, ms: number, poke?: () => void): Promise<void> {
    const deadline = Date.now() + ms;
    let lastPoke = 0;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms; got ${JSON.stringify(this.text.slice(-300))} ended=${JSON.stringify(this.ended)}`);
      if (poke && Date.now() - lastPoke > 1500) {
        lastPoke = Date.now();
        poke();
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.wake.push(() => (clearTimeout(t), r()));
      });
    }
  }
  waitFor(pattern: RegExp | string, ms = 60_000, poke?: () => void) {
    const test = () => (typeof pattern === 'string' ? this.text.includes(pattern) : pattern.test(this.text));
    return this.until(test, String(pattern), ms, poke);
  }
  waitForEnd(ms = 30_000) {
    return this.until(() => this.ended !== undefined, 'end of stream', ms);
  }
}

/** Types text into a stream. */
export function write(handle: StreamHandle, text: string): void {
  handle.write(new TextEncoder().encode(text));
}
