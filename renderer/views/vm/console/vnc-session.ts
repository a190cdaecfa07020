// One graphical console: noVNC's RFB on a StreamChannel over the 'console.graphics' stream,
// reconnecting while the guest runs (reconnect.ts), with the password kept in memory for the
// reconnects, the keyboard-grab state and the release combination.
import type RFB from '@novnc/novnc';
import type { ApiClient } from '../../../../shared/api/contract.js';
import { ApiCallError } from '../../../../shared/api/errors.js';
import { ReleaseCombo, XK, strokesFor } from './keyboard.js';
import { HoldError, type LinkState, Reconnector } from './reconnect.js';
import { StreamChannel } from './vnc-channel.js';

export type ScaleMode = 'fit' | 'native';

export interface VncState {
  link: LinkState;
  /** 'needed': the server asks for a password we do not have; 'wrong': the last one was refused. */
  password: 'none' | 'needed' | 'wrong';
  /** The screen has the keyboard (key presses go to the guest). */
  grabbed: boolean;
  /** The server can resize the guest's display to the window (ExtendedDesktopSize). */
  resizeSupported: boolean;
  /** Why the server refused to resize the display, when it did (this connection). */
  resizeRefusal: string | null;
  /** The guest's screen size, once connected. */
  size: { width: number; height: number } | null;
  /** The last text the guest put on its clipboard (needs a guest agent). */
  guestClipboard: string | null;
  bytesIn: number;
}

export interface VncTarget {
  connectionId: string;
  uuid: string;
  index: number;
}

const initialLink: LinkState = { phase: 'not-running', attempt: 0, error: null, retryAt: null };

// noVNC keeps this private; the setting is offered only when the server announced support.
const supportsResize = (rfb: RFB): boolean => Boolean(Reflect.get(rfb, '_supportsSetDesktopSize'));

// The statuses of an ExtendedDesktopSize answer that mean "no" (RFB 7.8.2; 4, QEMU's "forwarded
// to the guest's display", is a yes that comes true when the guest changes its mode).
const RESIZE_REFUSALS: Record<number, string> = {
  1: 'resizing is administratively prohibited',
  2: 'out of resources',
  3: 'invalid screen layout',
};

export class VncSession {
  private rfb: RFB | null = null;
  /** Connections we closed ourselves: their 'disconnect' is no drop to reconnect from. */
  private readonly retired = new WeakSet<RFB>();
  private channel: StreamChannel | null = null;
  private password: string | null = null;
  private awaitingCredentials = false;
  private scale: ScaleMode = 'fit';
  private resizeGuest = false;
  private readonly combo = new ReleaseCombo();
  private readonly reconnector: Reconnector;
  private disposed = false;
  private sizeTimer: ReturnType<typeof setInterval> | null = null;
  private state: VncState = { link: initialLink, password: 'none', grabbed: false, resizeSupported: false, resizeRefusal: null, size: null, guestClipboard: null, bytesIn: 0 };

  constructor(
    private readonly client: ApiClient,
    private readonly target: VncTarget,
    /** noVNC draws its screen in here. */
    private readonly screen: HTMLElement,
    private readonly onChange: (state: VncState) => void,
  ) {
    this.reconnector = new Reconnector({
      connect: () => this.connect(),
      cancel: () => this.teardown(),
      onChange: (link) => this.update({ link }),
    });
    screen.addEventListener('focusin', this.onFocus);
    screen.addEventListener('focusout', this.onFocus);
    screen.addEventListener('keydown', this.onKeyDown, true);
    screen.addEventListener('keyup', this.onKeyUp, true);
  }

  get current(): VncState {
    return this.state;
  }

  start(running: boolean): void {
    this.reconnector.start(running);
  }

  setRunning(running: boolean): void {
    this.reconnector.setRunning(running);
  }

  reconnect(): void {
    this.reconnector.retry();
  }

  /** The password the server asked for; kept (in memory) for reconnects after a guest reboot. */
  submitPassword(password: string): void {
    this.password = password;
    this.update({ password: 'none' });
    if (this.rfb && this.awaitingCredentials) {
      this.awaitingCredentials = false;
      this.rfb.sendCredentials({ password });
    } else {
      this.reconnector.retry();
    }
  }

  setScale(mode: ScaleMode): void {
    this.scale = mode;
    if (this.rfb) this.applyView(this.rfb);
  }

  setResizeGuest(resize: boolean): void {
    this.resizeGuest = resize;
    if (this.rfb) this.applyView(this.rfb);
  }

  focus(): void {
    this.rfb?.focus({ preventScroll: true });
  }

  /** Gives the keyboard back to the page. */
  release(): void {
    this.rfb?.blur();
    this.combo.reset();
  }

  /** Types text as key presses (US layout); returns how many characters had no key. */
  typeText(text: string): number {
    const rfb = this.rfb;
    if (!rfb) return text.length;
    const { strokes, skipped } = strokesFor(text);
    for (const s of strokes) {
      if (s.shift) rfb.sendKey(XK.Shift_L, 'ShiftLeft', true);
      rfb.sendKey(s.keysym, s.code, true);
      rfb.sendKey(s.keysym, s.code, false);
      if (s.shift) rfb.sendKey(XK.Shift_L, 'ShiftLeft', false);
    }
    return skipped;
  }

  /** Puts text on the guest's clipboard (VNC ClientCutText; the guest needs an agent to use it). */
  pasteToGuest(text: string): void {
    this.rfb?.clipboardPasteFrom(text);
  }

  dispose(): void {
    this.disposed = true;
    this.reconnector.stop();
    this.teardown();
    this.screen.removeEventListener('focusin', this.onFocus);
    this.screen.removeEventListener('focusout', this.onFocus);
    this.screen.removeEventListener('keydown', this.onKeyDown, true);
    this.screen.removeEventListener('keyup', this.onKeyUp, true);
  }

  // ---- internals

  private async connect(): Promise<void> {
    this.teardown();
    const { default: RFBClass } = await import('@novnc/novnc');
    if (this.disposed) throw new HoldError('closed');
    const channel = new StreamChannel();
    const rfb = new RFBClass(this.screen, channel, { shared: true });
    this.rfb = rfb;
    this.channel = channel;
    rfb.background = 'rgb(24, 24, 24)';
    this.applyView(rfb);
    this.watchResizeAnswers(rfb);
    this.update({ password: this.state.password === 'wrong' ? 'wrong' : 'none', size: null, resizeSupported: false, resizeRefusal: null });

    const connected = new Promise<void>((resolve, reject) => {
      let up = false;
      rfb.addEventListener('connect', () => {
        up = true;
        this.awaitingCredentials = false;
        this.update({ password: 'none' });
        this.watchSize(rfb);
        resolve();
      });
      rfb.addEventListener('credentialsrequired', () => {
        if (this.password !== null && !this.awaitingCredentials) {
          rfb.sendCredentials({ password: this.password });
          this.awaitingCredentials = true; // a second request means it was not enough
          return;
        }
        this.awaitingCredentials = true;
        this.update({ password: this.state.password === 'wrong' ? 'wrong' : 'needed' });
      });
      rfb.addEventListener('securityfailure', (e) => {
        this.password = null;
        this.awaitingCredentials = false;
        this.update({ password: 'wrong' });
        reject(new HoldError(e.detail.reason ? `The VNC server refused the password: ${e.detail.reason}` : 'The VNC server refused the password'));
      });
      rfb.addEventListener('clipboard', (e) => this.update({ guestClipboard: e.detail.text }));
      rfb.addEventListener('disconnect', () => {
        const reason = channel.endError?.message ?? null;
        if (this.rfb === rfb) {
          this.rfb = null;
          this.channel = null;
          this.stopWatchingSize();
          this.update({ grabbed: false });
        }
        if (!up) reject(new Error(reason ?? 'The VNC connection closed during the handshake'));
        else if (!this.disposed && !this.retired.has(rfb)) this.reconnector.lost(reason);
      });
    });

    void this.openStream(channel);
    await connected;
  }

  private async openStream(channel: StreamChannel): Promise<void> {
    try {
      channel.opened(await this.client.openStream('console.graphics', this.target, channel.sink));
    } catch (e) {
      channel.failed(e instanceof ApiCallError ? e.toApiError() : { code: 'internal', message: String(e) });
    }
  }

  /** Disconnects the current RFB, if any, without reporting a drop. */
  private teardown(): void {
    const rfb = this.rfb;
    this.rfb = null;
    this.channel = null;
    this.awaitingCredentials = false;
    this.stopWatchingSize();
    if (rfb) {
      this.retired.add(rfb);
      try {
        rfb.disconnect();
      } catch {
        // already disconnected
      }
    }
  }

  private applyView(rfb: RFB): void {
    rfb.scaleViewport = this.scale === 'fit';
    rfb.clipViewport = false;
    rfb.resizeSession = this.resizeGuest && this.state.resizeRefusal === null;
  }

  /**
   * noVNC takes any ExtendedDesktopSize from the server as resize support, and QEMU sends one for
   * every display; when the display cannot change size (VGA, bochs, cirrus: only virtio-gpu and
   * QXL can) QEMU answers our SetDesktopSize with "invalid screen layout", which noVNC only logs.
   * Reading the answer to our own request (x = 1, y = its status) withdraws the setting instead.
   */
  private watchResizeAnswers(rfb: RFB): void {
    const handle: unknown = Reflect.get(rfb, '_handleExtendedDesktopSize');
    if (typeof handle !== 'function') return;
    Reflect.set(rfb, '_handleExtendedDesktopSize', () => {
      const { x, y } = Reflect.get(rfb, '_FBU') as { x: number; y: number };
      const complete = Boolean(handle.call(rfb));
      const refusal = RESIZE_REFUSALS[y];
      if (complete && x === 1 && refusal && this.rfb === rfb) {
        this.update({ resizeSupported: false, resizeRefusal: refusal });
        this.applyView(rfb); // no more requests on this connection
      }
      return complete;
    });
  }

  /** The canvas size and the resize capability, which noVNC learns after 'connect'. */
  private watchSize(rfb: RFB): void {
    this.stopWatchingSize();
    const check = () => {
      const canvas = this.screen.querySelector('canvas');
      const size = canvas && canvas.width > 0 ? { width: canvas.width, height: canvas.height } : null;
      const resizeSupported = supportsResize(rfb) && this.state.resizeRefusal === null;
      const bytesIn = this.channel?.bytesIn ?? this.state.bytesIn;
      const same = size?.width === this.state.size?.width && size?.height === this.state.size?.height;
      if (!same || resizeSupported !== this.state.resizeSupported || bytesIn !== this.state.bytesIn) this.update({ size, resizeSupported, bytesIn });
    };
    check();
    this.sizeTimer = setInterval(check, 1000);
  }

  private stopWatchingSize(): void {
    if (this.sizeTimer !== null) clearInterval(this.sizeTimer);
    this.sizeTimer = null;
  }

  private readonly onFocus = (): void => {
    const active = document.activeElement;
    const grabbed = active instanceof HTMLCanvasElement && this.screen.contains(active);
    if (!grabbed) this.combo.reset();
    if (grabbed !== this.state.grabbed) this.update({ grabbed });
  };

  private readonly onKeyDown = (e: KeyboardEvent): void => this.combo.keydown(e.key);

  private readonly onKeyUp = (e: KeyboardEvent): void => {
    if (this.combo.keyup(e.key)) queueMicrotask(() => this.release());
  };

  private update(patch: Partial<VncState>): void {
    this.state = { ...this.state, ...patch };
    if (!this.disposed || patch.link?.phase === 'stopped') this.onChange(this.state);
  }
}
