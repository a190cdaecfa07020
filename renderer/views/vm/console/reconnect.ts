// When a console link (VNC, serial) connects, and reconnects: only while the guest runs, with
// backoff after a drop (a guest reboot that restarts QEMU ends the stream; the new QEMU needs a
// moment), never again on its own once a failure needs the user (console taken, password).

export type LinkPhase =
  /** The guest is not running: nothing to connect to; connects once it runs. */
  | 'not-running'
  /** An attempt is under way, or the next one is scheduled (retryAt). */
  | 'connecting'
  | 'connected'
  /** Attempts ran out while the guest kept running. */
  | 'failed'
  /** A failure that retrying cannot fix (HoldError): waits for the user (retry()). */
  | 'held'
  | 'stopped';

export interface LinkState {
  phase: LinkPhase;
  /** 0: the first attempt; n > 0: the n-th reconnect. */
  attempt: number;
  /** Why the last attempt failed or the link dropped. */
  error: string | null;
  /** While waiting for the next attempt: when it starts (Date.now() scale). */
  retryAt: number | null;
}

/** Rejecting connect() with this stops retrying until retry() (the message says why). */
export class HoldError extends Error {
  override name = 'HoldError';
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(id: unknown): void;
}

export interface ReconnectorOptions {
  /** Opens the link; resolves once it is up. */
  connect(): Promise<void>;
  /** An attempt in flight was abandoned (the guest stopped, stop()): close what it opened. */
  cancel?(): void;
  onChange(state: LinkState): void;
  /** Wait before reconnect n (the last entry repeats). */
  delaysMs?: readonly number[];
  /** Reconnects before giving up while the guest runs. */
  maxAttempts?: number;
  timers?: Timers;
  now?: () => number;
}

const DEFAULT_DELAYS = [250, 500, 1000, 2000, 3000] as const;

export class Reconnector {
  private running = false;
  private started = false;
  private generation = 0;
  private timer: unknown = null;
  private inFlight = false;
  private current: LinkState = { phase: 'not-running', attempt: 0, error: null, retryAt: null };
  private readonly delays: readonly number[];
  private readonly maxAttempts: number;
  private readonly timers: Timers;
  private readonly now: () => number;

  constructor(private readonly options: ReconnectorOptions) {
    this.delays = options.delaysMs ?? DEFAULT_DELAYS;
    this.maxAttempts = options.maxAttempts ?? 40;
    this.timers = options.timers ?? { set: (fn, ms) => setTimeout(fn, ms), clear: (id) => clearTimeout(id as ReturnType<typeof setTimeout>) };
    this.now = options.now ?? Date.now;
  }

  get state(): LinkState {
    return this.current;
  }

  /** Begins: connects now when the guest runs. */
  start(running: boolean): void {
    this.started = true;
    this.running = running;
    if (running) this.attempt(0, null);
    else this.set({ phase: 'not-running', attempt: 0, error: null, retryAt: null });
  }

  /** The guest's state changed (before start(): starts). */
  setRunning(running: boolean): void {
    if (!this.started) return this.start(running);
    const was = this.running;
    this.running = running;
    if (this.current.phase === 'stopped') return;
    if (running && !was && (this.current.phase === 'not-running' || this.current.phase === 'failed')) {
      this.attempt(0, null);
    } else if (!running && this.current.phase === 'connecting') {
      this.abandon();
      this.set({ phase: 'not-running', attempt: 0, error: null, retryAt: null });
    }
  }

  /** The connected link dropped. */
  lost(error: string | null): void {
    if (this.current.phase !== 'connected') return;
    if (!this.running) this.set({ phase: 'not-running', attempt: 0, error, retryAt: null });
    else this.schedule(1, error);
  }

  /** The user asks for a new attempt now (Reconnect, Take over, a password). */
  retry(): void {
    if (this.current.phase === 'stopped') return;
    this.abandon();
    if (this.running) this.attempt(0, null);
    else this.set({ phase: 'not-running', attempt: 0, error: null, retryAt: null });
  }

  stop(): void {
    this.abandon();
    this.set({ phase: 'stopped', attempt: 0, error: null, retryAt: null });
  }

  private abandon(): void {
    this.generation++;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    if (this.inFlight) {
      this.inFlight = false;
      this.options.cancel?.();
    }
  }

  private attempt(n: number, lastError: string | null): void {
    if (!this.running) return this.set({ phase: 'not-running', attempt: 0, error: lastError, retryAt: null });
    const generation = ++this.generation;
    this.inFlight = true;
    this.set({ phase: 'connecting', attempt: n, error: lastError, retryAt: null });
    void this.settle(generation, n);
  }

  private async settle(generation: number, n: number): Promise<void> {
    try {
      await this.options.connect();
    } catch (e) {
      if (generation !== this.generation) return;
      this.inFlight = false;
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof HoldError) this.set({ phase: 'held', attempt: n, error: message, retryAt: null });
      else if (!this.running) this.set({ phase: 'not-running', attempt: 0, error: message, retryAt: null });
      else if (n + 1 > this.maxAttempts) this.set({ phase: 'failed', attempt: n, error: message, retryAt: null });
      else this.schedule(n + 1, message);
      return;
    }
    if (generation !== this.generation) return;
    this.inFlight = false;
    this.set({ phase: 'connected', attempt: 0, error: null, retryAt: null });
  }

  private schedule(n: number, error: string | null): void {
    const delay = this.delays[Math.min(n - 1, this.delays.length - 1)] ?? 1000;
    const generation = ++this.generation;
    this.set({ phase: 'connecting', attempt: n, error, retryAt: this.now() + delay });
    this.timer = this.timers.set(() => {
      this.timer = null;
      if (generation === this.generation) this.attempt(n, error);
    }, delay);
  }

  private set(state: LinkState): void {
    this.current = state;
    this.options.onChange(state);
  }
}
