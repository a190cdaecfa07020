// The graphical console (VNC through libvirt): toolbar, screen, status overlay, clipboard panel.
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import type { LinuxKeyName } from '../../../../shared/models/console.js';
import { useApi } from '../../../api/context.js';
import { SendKeyMenu } from './SendKeyMenu.js';
import { PasswordForm, StatusOverlay } from './StatusOverlay.js';
import { type ScaleMode, type VncState, VncSession } from './vnc-session.js';

interface Props {
  connectionId: string;
  uuid: string;
  index: number;
  vmName: string;
  live: boolean;
  active: boolean;
  /** Shows a message in the console bar (send-key done, screenshot saved, errors). */
  onMessage: (message: string, error?: boolean) => void;
}

const timestamp = () => new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

function downloadPng(base64: string, name: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: 'image/png' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function VncConsole({ connectionId, uuid, index, vmName, live, active, onMessage }: Props) {
  const client = useApi();
  const rootRef = useRef<HTMLDivElement>(null);
  const screenRef = useRef<HTMLDivElement>(null);
  const sessionRef = useRef<VncSession | null>(null);
  const [state, setState] = useState<VncState | null>(null);
  const [scale, setScale] = useState<ScaleMode>('fit');
  const [resizeGuest, setResizeGuest] = useState(false);
  const [fullscreen, setFullscreen] = useState(false);
  const [clipboardOpen, setClipboardOpen] = useState(false);
  const [clipText, setClipText] = useState('');
  const isLiveNow = useEffectEvent(() => live);
  const resizeRefusal = state?.resizeRefusal ?? null;
  const reportResizeRefusal = useEffectEvent((reason: string) => onMessage(`The guest display cannot be resized: the VNC server answered "${reason}"`, true));

  useEffect(() => {
    const session = new VncSession(client, { connectionId, uuid, index }, screenRef.current!, setState);
    sessionRef.current = session;
    session.start(isLiveNow());
    return () => {
      sessionRef.current = null;
      session.dispose();
    };
  }, [client, connectionId, uuid, index]);

  useEffect(() => sessionRef.current?.setRunning(live), [live]);
  useEffect(() => {
    if (!active) sessionRef.current?.release();
  }, [active]);
  useEffect(() => sessionRef.current?.setScale(scale), [scale]);
  useEffect(() => sessionRef.current?.setResizeGuest(resizeGuest), [resizeGuest]);
  useEffect(() => {
    if (resizeRefusal !== null) reportResizeRefusal(resizeRefusal);
  }, [resizeRefusal]);

  useEffect(() => {
    const onChange = () => {
      const isFull = document.fullscreenElement === rootRef.current;
      setFullscreen(isFull);
      // In fullscreen Chromium can capture system keys (Alt+Tab, Esc...) for the guest.
      const keyboard = (navigator as Navigator & { keyboard?: { lock?: () => Promise<void>; unlock?: () => void } }).keyboard;
      if (isFull) keyboard?.lock?.().catch(() => undefined);
      else keyboard?.unlock?.();
    };
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);

  const session = () => sessionRef.current;
  const connected = state?.link.phase === 'connected';

  const sendKeys = async (keys: LinuxKeyName[], label: string) => {
    try {
      await client.call('consoles.sendKeys', { connectionId, uuid, keys });
      onMessage(`Sent ${label}`);
      session()?.focus();
    } catch (e) {
      onMessage(`Could not send ${label}: ${(e as Error).message}`, true);
    }
  };

  const screenshot = async () => {
    try {
      const shot = await client.call('consoles.screenshot', { connectionId, uuid });
      const name = `${vmName}-${timestamp()}.png`;
      downloadPng(shot.dataBase64, name);
      onMessage(`Saved ${name} (${shot.width}×${shot.height})`);
    } catch (e) {
      onMessage(`Could not take a screenshot: ${(e as Error).message}`, true);
    }
  };

  const toggleFullscreen = async () => {
    if (document.fullscreenElement) return void (await document.exitFullscreen());
    try {
      await rootRef.current?.requestFullscreen();
      session()?.focus();
    } catch (e) {
      onMessage(`Fullscreen refused: ${(e as Error).message}`, true);
    }
  };

  const typeClip = () => {
    const skipped = session()?.typeText(clipText) ?? clipText.length;
    onMessage(skipped ? `Typed the text; ${skipped} character(s) have no key on a US keyboard and were skipped` : 'Typed the text');
  };

  return (
    <div className="vnc-console" ref={rootRef} data-testid="vnc-console">
      <div className="console-toolbar" role="toolbar" aria-label="Graphical console">
        <SendKeyMenu disabled={!connected} onSend={(keys, label) => void sendKeys(keys, label)} />
        <label>
          Scale
          <select value={scale} onChange={(e) => setScale(e.target.value as ScaleMode)} data-testid="vnc-scale">
            <option value="fit">Fit to window</option>
            <option value="native">1:1</option>
          </select>
        </label>
        <label title={state?.resizeSupported ? 'Resize the guest display to the window' : 'This display cannot be resized by the viewer (it needs e.g. virtio-gpu or QXL with a guest agent)'}>
          <input type="checkbox" checked={resizeGuest && !!state?.resizeSupported} disabled={!state?.resizeSupported} onChange={(e) => setResizeGuest(e.target.checked)} />
          Resize guest
        </label>
        <button type="button" onClick={() => void toggleFullscreen()} aria-pressed={fullscreen}>
          {fullscreen ? 'Leave fullscreen' : 'Fullscreen'}
        </button>
        <button type="button" onClick={() => void screenshot()} disabled={!live} data-testid="screenshot">
          Screenshot
        </button>
        <button type="button" onClick={() => setClipboardOpen(!clipboardOpen)} aria-expanded={clipboardOpen}>
          Clipboard
        </button>
        <span className={state?.grabbed ? 'grab grabbed' : 'grab'} data-testid="grab-indicator">
          {state?.grabbed ? 'Keyboard captured: press and release Ctrl+Alt to release it' : connected ? 'Click the screen to type in the guest' : ''}
        </span>
        {state?.size && (
          <span className="console-size">
            {state.size.width}×{state.size.height}
          </span>
        )}
      </div>
      {clipboardOpen && (
        <div className="clipboard-panel">
          <textarea aria-label="Clipboard text" value={clipText} onChange={(e) => setClipText(e.target.value)} rows={3} placeholder="Text for the guest" />
          <div>
            <button type="button" disabled={!connected || !clipText} onClick={typeClip} title="Types it as key presses: works in any guest">
              Type into guest
            </button>
            <button type="button" disabled={!connected || !clipText} onClick={() => session()?.pasteToGuest(clipText)} title="VNC clipboard: the guest needs an agent to receive it">
              Send to guest clipboard
            </button>
            {state?.guestClipboard != null && (
              <>
                <span className="clipboard-guest">Guest clipboard: {state.guestClipboard.slice(0, 80)}</span>
                <button type="button" onClick={() => void navigator.clipboard.writeText(state.guestClipboard ?? '')}>
                  Copy
                </button>
              </>
            )}
          </div>
        </div>
      )}
      <div className={scale === 'fit' ? 'vnc-screen fit' : 'vnc-screen native'} ref={screenRef} data-testid="vnc-screen" />
      {state && (
        <StatusOverlay link={state.link} onReconnect={() => session()?.reconnect()}>
          {state.password !== 'none' ? <PasswordForm wrong={state.password === 'wrong'} onSubmit={(p) => session()?.submitPassword(p)} /> : undefined}
        </StatusOverlay>
      )}
    </div>
  );
}
