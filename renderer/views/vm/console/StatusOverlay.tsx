// What covers a console while it is not showing the guest: not running, connecting,
// reconnecting, disconnected, busy (serial), or a password to enter (VNC).
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import type { LinkState } from './reconnect.js';

export function linkMessage(link: LinkState): string {
  switch (link.phase) {
    case 'not-running':
      return 'The guest is not running';
    case 'connecting':
      return link.attempt === 0 ? 'Connecting…' : `Reconnecting… (attempt ${link.attempt})`;
    case 'connected':
      return 'Connected';
    case 'failed':
      return 'Disconnected';
    case 'held':
      return link.error ?? 'Disconnected';
    case 'stopped':
      return 'Closed';
  }
}

export function StatusOverlay({ link, children, onReconnect }: { link: LinkState; children?: ReactNode; onReconnect: () => void }) {
  if (link.phase === 'connected' && !children) return null;
  const detail = link.phase === 'connecting' || link.phase === 'failed' ? link.error : null;
  return (
    <div className="console-overlay" data-testid="console-status" data-phase={link.phase} role="status">
      {children ?? (
        <>
          <p className="console-overlay-title">{linkMessage(link)}</p>
          {detail && <p className="console-overlay-detail">{detail}</p>}
          {link.phase === 'not-running' && <p className="console-overlay-detail">It connects by itself when the guest starts.</p>}
          {(link.phase === 'failed' || (link.phase === 'connecting' && link.attempt > 2)) && (
            <button type="button" onClick={onReconnect}>
              Reconnect now
            </button>
          )}
        </>
      )}
    </div>
  );
}

export function PasswordForm({ wrong, onSubmit }: { wrong: boolean; onSubmit: (password: string) => void }) {
  const [password, setPassword] = useState('');
  const [input, setInput] = useState<HTMLInputElement | null>(null);
  useEffect(() => input?.focus(), [input]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (password) onSubmit(password);
  };
  return (
    <form className="console-password" onSubmit={submit}>
      <p className="console-overlay-title">{wrong ? 'The password was not accepted' : 'This console is protected by a password'}</p>
      <label>
        Password
        <input ref={setInput} type="password" autoComplete="off" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="vnc-password" />
      </label>
      <button type="submit" disabled={!password}>
        Log in
      </button>
      <p className="console-overlay-detail">Vireo keeps it until this window closes, to reconnect after a guest reboot.</p>
    </form>
  );
}
