// The serial/text console: xterm.js with find, copy/paste, scrollback, and "take over" when
// another client holds the console.
import '@xterm/xterm/css/xterm.css';
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { useApi } from '../../../api/context.js';
import { SCROLLBACK_CHOICES, type SerialState, SerialSession } from './serial-session.js';
import { StatusOverlay } from './StatusOverlay.js';

interface Props {
  connectionId: string;
  uuid: string;
  device: string | null;
  live: boolean;
  active: boolean;
  onMessage: (message: string, error?: boolean) => void;
}

export function SerialConsole({ connectionId, uuid, device, live, active, onMessage }: Props) {
  const client = useApi();
  const termRef = useRef<HTMLDivElement>(null);
  const findRef = useRef<HTMLInputElement>(null);
  const sessionRef = useRef<SerialSession | null>(null);
  const [state, setState] = useState<SerialState | null>(null);
  const [query, setQuery] = useState('');
  const [notFound, setNotFound] = useState(false);
  const initial = useEffectEvent(() => ({ live, device }));

  useEffect(() => {
    const { live: liveNow, device: deviceNow } = initial();
    const session = new SerialSession(client, { connectionId, uuid, device: deviceNow }, termRef.current!, setState, () => findRef.current?.focus());
    sessionRef.current = session;
    session.start(liveNow);
    return () => {
      sessionRef.current = null;
      session.dispose();
    };
  }, [client, connectionId, uuid]);

  useEffect(() => sessionRef.current?.setDevice(device), [device]);
  useEffect(() => sessionRef.current?.setRunning(live), [live]);
  useEffect(() => {
    if (!active) return;
    const session = sessionRef.current;
    session?.refit();
    session?.focus();
  }, [active]);

  const session = () => sessionRef.current;
  const find = (e: { preventDefault(): void }, backwards = false) => {
    e.preventDefault();
    const found = backwards ? session()?.findPrevious(query) : session()?.findNext(query);
    setNotFound(!found && query !== '');
  };

  const copy = async () => {
    const ok = (await session()?.copySelection()) ?? false;
    onMessage(ok ? 'Copied the selection' : 'Nothing selected to copy, or the clipboard refused', !ok);
  };
  const paste = async () => {
    const ok = (await session()?.pasteClipboard()) ?? false;
    if (!ok) onMessage('The clipboard cannot be read here: press Ctrl+Shift+V in the console', true);
  };

  const busy = state?.busy && state.link.phase === 'held';
  return (
    <div className="serial-console" data-testid="serial-console">
      <div className="console-toolbar" role="toolbar" aria-label="Serial console">
        <form className="console-find" role="search" onSubmit={(e) => find(e)}>
          <input
            ref={findRef}
            type="search"
            aria-label="Find in the console"
            placeholder="Find (Ctrl+Shift+F)"
            value={query}
            aria-invalid={notFound || undefined}
            onChange={(e) => {
              setQuery(e.target.value);
              setNotFound(false);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                session()?.clearSearch();
                session()?.focus();
              }
            }}
          />
          <button type="button" onClick={(e) => find(e, true)} aria-label="Find previous">
            ↑
          </button>
          <button type="submit" aria-label="Find next">
            ↓
          </button>
        </form>
        <button
          type="button"
          title="Ctrl+Shift+C"
          onClick={() => void copy()}
        >
          Copy
        </button>
        <button
          type="button"
          title="Ctrl+Shift+V"
          disabled={state?.link.phase !== 'connected'}
          onClick={() => void paste()}
        >
          Paste
        </button>
        <label>
          Scrollback
          <select value={state?.scrollback ?? 10_000} onChange={(e) => session()?.setScrollback(Number(e.target.value))}>
            {SCROLLBACK_CHOICES.map((n) => (
              <option key={n} value={n}>
                {n.toLocaleString()} lines
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => session()?.clear()}>
          Clear
        </button>
      </div>
      <div className="serial-screen" ref={termRef} data-testid="serial-screen" />
      {state && (
        <StatusOverlay link={state.link} onReconnect={() => session()?.reconnect()}>
          {busy ? (
            <div className="console-busy" data-testid="console-busy">
              <p className="console-overlay-title">Another client is connected to this console</p>
              <p className="console-overlay-detail">For example virsh console or another Vireo window. Taking over disconnects it.</p>
              <button type="button" onClick={() => session()?.takeOver()}>
                Take over
              </button>
            </div>
          ) : undefined}
        </StatusOverlay>
      )}
    </div>
  );
}
