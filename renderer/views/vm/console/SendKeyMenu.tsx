// The send-key menu (virDomainSendKey): virt-manager's combinations plus custom ones, which are
// remembered in this browser profile.
import { type FormEvent, useState } from 'react';
import { type LinuxKeyName, SEND_KEY_PRESETS, describeKeys, parseKeyCombo } from '../../../../shared/models/console.js';

const STORAGE_KEY = 'vireo.console.customKeys';

function loadCustom(): string[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && parseKeyCombo(v).ok).slice(0, 10) : [];
  } catch {
    return [];
  }
}

export function SendKeyMenu({ disabled, onSend }: { disabled: boolean; onSend: (keys: LinuxKeyName[], label: string) => void }) {
  const [open, setOpen] = useState(false);
  const [custom, setCustom] = useState<string[]>(loadCustom);
  const [text, setText] = useState('');
  const parsed = text.trim() ? parseKeyCombo(text) : null;

  const send = (keys: readonly LinuxKeyName[], label: string) => {
    setOpen(false);
    onSend([...keys], label);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!parsed?.ok) return;
    const label = describeKeys(parsed.keys);
    const next = [label, ...custom.filter((c) => c !== label)].slice(0, 10);
    setCustom(next);
    localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    setText('');
    send(parsed.keys, label);
  };

  return (
    <div className="menu-anchor">
      <button type="button" aria-haspopup="menu" aria-expanded={open} disabled={disabled} onClick={() => setOpen(!open)} data-testid="send-key">
        Send key ▾
      </button>
      {open && (
        <div className="menu" role="menu" aria-label="Send key" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
          {SEND_KEY_PRESETS.map((p) => (
            <button key={p.label} type="button" role="menuitem" onClick={() => send(p.keys, p.label)}>
              {p.label}
            </button>
          ))}
          {custom.length > 0 && <hr />}
          {custom.map((label) => {
            const combo = parseKeyCombo(label);
            return combo.ok ? (
              <button key={`custom-${label}`} type="button" role="menuitem" onClick={() => send(combo.keys, label)}>
                {label}
              </button>
            ) : null;
          })}
          <hr />
          <form className="menu-custom" onSubmit={submit}>
            <input
              aria-label="Custom key combination"
              placeholder="Custom, e.g. Ctrl+Alt+F3"
              value={text}
              onChange={(e) => setText(e.target.value)}
              aria-invalid={parsed ? !parsed.ok : undefined}
            />
            <button type="submit" disabled={!parsed?.ok}>
              Send
            </button>
            {parsed && !parsed.ok && <span className="menu-error">{parsed.error}</span>}
          </form>
        </div>
      )}
    </div>
  );
}
