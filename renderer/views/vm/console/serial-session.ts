// One serial/text console: xterm.js (fit, search) on the 'console.serial' stream, reconnecting
// while the guest runs; "another client holds it" holds the link until the user takes over.
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { Terminal } from '@xterm/xterm';
import type { ApiClient, StreamHandle } from '../../../../shared/api/contract.js';
import { ApiCallError } from '../../../../shared/api/errors.js';
import { isConsoleBusy } from '../../../../shared/models/console.js';
import { installCspStyleShims } from './csp-styles.js';
import { HoldError, type LinkState, Reconnector } from './reconnect.js';

export interface SerialState {
  link: LinkState;
  /** Another client (virsh console, another window) holds the console. */
  busy: boolean;
  scrollback: number;
}

export interface SerialTarget {
  connectionId: string;
  uuid: string;
  /** devName from consoles.info; null: the first console. */
  device: string | null;
}

export const SCROLLBACK_CHOICES = [1000, 10_000, 100_000] as const;
const DIM = (text: string) => `\r\n\x1b[2m${text}\x1b[0m\r\n`;

export class SerialSession {
  readonly terminal: Terminal;
  private readonly fit = new FitAddon();
  private readonly search = new SearchAddon();
  private readonly reconnector: Reconnector;
  private readonly encoder = new TextEncoder();
  private readonly resizeObserver: ResizeObserver;
  private handle: StreamHandle | null = null;
  /** Bumped by every attempt: bytes and ends of an older stream are dropped. */
  private attempt = 0;
  private force = false;
  private everConnected = false;
  private disposed = false;
  private state: SerialState;

  constructor(
    private readonly client: ApiClient,
    private target: SerialTarget,
    container: HTMLElement,
    private readonly onChange: (state: SerialState) => void,
    private readonly onShortcut: (action: 'find') => void = () => undefined,
  ) {
    installCspStyleShims();
    this.terminal = new Terminal({
      scrollback: 10_000,
      cursorBlink: true,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      allowProposedApi: true, // search decorations
      theme: { background: '#181818' },
    });
    this.state = { link: { phase: 'not-running', attempt: 0, error: null, retryAt: null }, busy: false, scrollback: 10_000 };
    this.terminal.loadAddon(this.fit);
    this.terminal.loadAddon(this.search);
    this.terminal.open(container);
    this.terminal.onData((data) => this.send(data));
    this.terminal.attachCustomKeyEventHandler((e) => this.shortcut(e));
    this.resizeObserver = new ResizeObserver(() => this.refit());
    this.resizeObserver.observe(container);
    this.refit();
    this.reconnector = new Reconnector({
      connect: () => this.connect(),
      cancel: () => this.closeStream(),
      onChange: (link) => this.update({ link }),
    });
  }

  get current(): SerialState {
    return this.state;
  }

  start(running: boolean): void {
    this.reconnector.start(running);
  }

  setRunning(running: boolean): void {
    this.reconnector.setRunning(running);
  }

  /** The device to open from the next attempt on (its alias is known once the guest runs). */
  setDevice(device: string | null): void {
    this.target = { ...this.target, device };
  }

  reconnect(): void {
    this.reconnector.retry();
  }

  /** Opens the console with libvirt's force flag: the other client is disconnected. */
  takeOver(): void {
    this.force = true;
    this.reconnector.retry();
  }

  focus(): void {
    this.terminal.focus();
  }

  refit(): void {
    const el = this.terminal.element;
    if (!el || el.clientWidth === 0 || el.clientHeight === 0) return; // hidden: fit once shown
    try {
      this.fit.fit();
    } catch {
      // not rendered yet
    }
  }

  findNext(text: string): boolean {
    return text ? this.search.findNext(text, { caseSensitive: false }) : false;
  }

  findPrevious(text: string): boolean {
    return text ? this.search.findPrevious(text, { caseSensitive: false }) : false;
  }

  clearSearch(): void {
    this.search.clearDecorations();
    this.terminal.clearSelection();
  }

  setScrollback(lines: number): void {
    this.terminal.options.scrollback = lines;
    this.update({ scrollback: lines });
  }

  clear(): void {
    this.terminal.clear();
  }

  /** Copies the selection; resolves false when there is none or the clipboard refused. */
  async copySelection(): Promise<boolean> {
    const text = this.terminal.getSelection();
    if (!text) return false;
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      return false;
    }
  }

  /** Types the clipboard's text into the console (bracketed paste when the guest asked for it). */
  async pasteClipboard(): Promise<boolean> {
    try {
      const text = await navigator.clipboard.readText();
      if (text) this.terminal.paste(text);
      return true;
    } catch {
      return false;
    }
  }

  dispose(): void {
    this.disposed = true;
    this.reconnector.stop();
    this.closeStream();
    this.resizeObserver.disconnect();
    this.terminal.dispose();
  }

  // ---- internals

  private send(data: string): void {
    this.handle?.write(this.encoder.encode(data));
  }

  private async connect(): Promise<void> {
    this.closeStream();
    const attempt = ++this.attempt;
    const force = this.force;
    let opened = false;
    const sink = {
      data: (bytes: Uint8Array) => {
        if (attempt === this.attempt) this.terminal.write(bytes);
      },
      end: (error: { message: string } | null) => {
        if (attempt !== this.attempt) return;
        this.handle = null;
        if (!opened) return; // openStream rejects instead
        this.terminal.write(DIM(error ? `[console closed: ${error.message}]` : '[console closed]'));
        this.reconnector.lost(error?.message ?? null);
      },
    };
    let handle: StreamHandle;
    try {
      handle = await this.client.openStream('console.serial', { ...this.target, force }, sink);
    } catch (e) {
      if (e instanceof ApiCallError && isConsoleBusy(e)) {
        this.update({ busy: true });
        throw new HoldError('Another client is connected to this console');
      }
      throw e;
    }
    if (attempt !== this.attempt || this.disposed) {
      handle.close();
      throw new HoldError('closed');
    }
    opened = true;
    this.handle = handle;
    this.force = false;
    if (this.everConnected) this.terminal.write(DIM('[console reconnected]'));
    this.everConnected = true;
    this.update({ busy: false });
  }

  private closeStream(): void {
    this.attempt++;
    const handle = this.handle;
    this.handle = null;
    handle?.close();
  }

  private shortcut(e: KeyboardEvent): boolean {
    if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey) return true;
    if (e.code === 'KeyC') {
      void this.copySelection();
      e.preventDefault();
      return false;
    }
    if (e.code === 'KeyV') return false; // the browser's paste event: xterm handles it
    if (e.code === 'KeyF') {
      e.preventDefault();
      this.onShortcut('find');
      return false;
    }
    return true;
  }

  private update(patch: Partial<SerialState>): void {
    this.state = { ...this.state, ...patch };
    if (!this.disposed) this.onChange(this.state);
  }
}
