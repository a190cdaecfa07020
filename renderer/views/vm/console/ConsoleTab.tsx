// The VM window's Console tab: which consoles the VM has (consoles.info), a chooser among them
// as virt-manager's View > Consoles, and the chosen one. A console once shown stays connected
// while another is shown (its scrollback, its session), like virt-manager's console pages.
import './console.css';
import { useEffect, useMemo, useState } from 'react';
import type { ConsoleInfo } from '../../../../shared/models/console.js';
import type { VmState } from '../../../../shared/models/vm.js';
import { useApi } from '../../../api/context.js';
import { GRAPHICS_LABEL, consoleChoices, defaultChoice, isLive } from './choices.js';
import { SerialConsole } from './SerialConsole.js';
import { VncConsole } from './VncConsole.js';

export function ConsoleTab({ connectionId, uuid, vmName, state, visible }: { connectionId: string; uuid: string; vmName: string; state: VmState | undefined; visible: boolean }) {
  const client = useApi();
  const live = isLive(state);
  const [info, setInfo] = useState<ConsoleInfo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [mounted, setMounted] = useState<string[]>([]);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  // Device aliases and ports exist only while the guest runs: read again when that changes
  // (and once more shortly when the answer still shows the state before the change).
  useEffect(() => {
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async (tries: number) => {
      try {
        const i = await client.call('consoles.info', { connectionId, uuid });
        if (!current) return;
        setInfo(i);
        setLoadError(null);
        if (isLive(i.state) !== live && tries > 0) timer = setTimeout(() => void read(tries - 1), 500);
      } catch (e) {
        if (current) setLoadError((e as Error).message);
      }
    };
    void read(5);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, connectionId, uuid, live]);

  const choices = useMemo(() => (info ? consoleChoices(info) : []), [info]);
  const chosen = choices.find((c) => c.key === selected) ?? defaultChoice(choices);
  // A console once shown stays mounted (adjusting state while rendering, as React recommends).
  if (chosen && !mounted.includes(chosen.key)) setMounted([...mounted, chosen.key]);

  const onMessage = (text: string, error = false) => setMessage({ text, error });
  const openViewer = async (index: number) => {
    const command = info?.externalViewer.command ?? 'remote-viewer';
    try {
      await client.call('consoles.openExternalViewer', { connectionId, uuid, index });
      onMessage(`Opened ${command}`);
    } catch (e) {
      onMessage(`Could not open ${command}: ${(e as Error).message}`, true);
    }
  };

  if (loadError && !info) return <p className="empty" role="alert">Could not read the VM's consoles: {loadError}</p>;
  if (!info) return <p className="empty">Loading…</p>;
  if (choices.length === 0) {
    return (
      <p className="empty" data-testid="no-console">
        This VM has no graphical display and no serial console. Add one in Details.
      </p>
    );
  }

  return (
    <div className="console-tab">
      <div className="console-bar">
        <label>
          Console{' '}
          <select value={chosen?.key ?? ''} onChange={(e) => setSelected(e.target.value)} data-testid="console-select">
            {choices.map((c) => (
              <option key={c.key} value={c.key}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        {message && (
          <span className={message.error ? 'console-message error' : 'console-message'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </span>
        )}
      </div>
      <div className="console-stage">
        {choices
          .filter((c) => mounted.includes(c.key))
          .map((c) => {
            const active = visible && c.key === chosen?.key;
            return (
              <div key={c.key} className={active ? 'console-layer active' : 'console-layer'} aria-hidden={!active} data-console={c.key}>
                {c.kind === 'graphics' ? (
                  c.type === 'vnc' ? (
                    <VncConsole connectionId={connectionId} uuid={uuid} index={c.index} vmName={vmName} live={live} active={active} onMessage={onMessage} />
                  ) : (
                    <ExternalViewerNotice info={info} index={c.index} type={c.type} live={live} onOpen={() => void openViewer(c.index)} />
                  )
                ) : c.unavailable ? (
                  <p className="empty">{c.unavailable}</p>
                ) : (
                  // A second console needs its alias (read once the guest runs): null would open the first.
                  <SerialConsole connectionId={connectionId} uuid={uuid} device={c.device} live={live && (c.device !== null || c.index === 0)} active={active} onMessage={onMessage} />
                )}
              </div>
            );
          })}
      </div>
    </div>
  );
}

function ExternalViewerNotice({ info, index, type, live, onOpen }: { info: ConsoleInfo; index: number; type: string; live: boolean; onOpen: () => void }) {
  const name = GRAPHICS_LABEL[type] ?? type;
  const { command, available } = info.externalViewer;
  const viewable = type === 'spice' || type === 'vnc';
  return (
    <div className="console-overlay static" data-testid="external-viewer">
      <p className="console-overlay-title">This VM's display uses {name}, which Vireo does not show itself.</p>
      {viewable && available && (
        <>
          <button type="button" disabled={!live} onClick={onOpen}>
            Open in {command}
          </button>
          {!live && <p className="console-overlay-detail">Start the VM first.</p>}
        </>
      )}
      {viewable && !available && (
        <p className="console-overlay-detail">
          Install {command} (Debian: <code>apt install virt-viewer</code>) to open it, or change the display to VNC in Details.
        </p>
      )}
      {info.graphics.length > 1 && index > 0 && <p className="console-overlay-detail">Graphics device {index + 1}.</p>}
    </div>
  );
}
