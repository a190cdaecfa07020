// Picks a path (the wizard's media and disks, the Details tab's disk sources): a file on this host
// (local connections, through the backend's restricted browser) or a storage volume of one of the
// connection's pools.
import './file-browser.css';
import { useEffect, useState } from 'react';
import type { BrowseListing, WizardVolume } from '../../shared/models/wizard.js';
import { useApi } from '../api/context.js';
import { bytes } from '../format.js';

const mib = (value: number) => bytes(value * 1024 * 1024);

/** A pool to pick volumes from; free space shown when known. */
export interface BrowsePool {
  name: string;
  active: boolean;
  availableMiB?: number;
}

export interface FileBrowserProps {
  connectionId: string;
  local: boolean;
  pools: readonly BrowsePool[];
  /** A heading, when the browser is not in a dialog that has one. */
  title?: string;
  /** The field's current value: the browser starts in its folder. */
  current: string;
  onChoose(path: string): void;
  onCancel(): void;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
/** The path of an entry: a root itself when nothing is open yet. */
const childPath = (listing: BrowseListing, name: string) => (listing.path === null ? name : `${listing.path === '/' ? '' : listing.path}/${name}`);
const folderOf = (path: string) => (path.startsWith('/') && path.lastIndexOf('/') > 0 ? path.slice(0, path.lastIndexOf('/')) : undefined);

export function FileBrowser({ connectionId, local, pools, title, current, onChoose, onCancel }: FileBrowserProps) {
  const client = useApi();
  const [tab, setTab] = useState<'files' | 'volumes'>(local ? 'files' : 'volumes');
  const [listing, setListing] = useState<BrowseListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const activePools = pools.filter((p) => p.active);
  const [pool, setPool] = useState(activePools[0]?.name ?? '');
  const [volumes, setVolumes] = useState<WizardVolume[] | null>(null);

  const open = (path: string | undefined, fallback = true) => {
    setError(null);
    setSelected(null);
    client.call('wizard.browse', { connectionId, ...(path !== undefined && { path }) }).then(setListing, (e: unknown) => {
      if (fallback && path !== undefined) open(undefined, false);
      else setError(message(e));
    });
  };

  useEffect(() => {
    if (tab === 'files' && local) open(folderOf(current));
    // Only when the tab opens: navigation calls open() itself.
    // oxlint-disable-next-line react-hooks/exhaustive-deps
  }, [tab]);

  useEffect(() => {
    if (tab !== 'volumes' || !pool) return;
    setVolumes(null);
    setSelected(null);
    client.call('wizard.volumes', { connectionId, pool }).then(setVolumes, (e: unknown) => setError(message(e)));
  }, [client, connectionId, pool, tab]);

  const chosenPath = (): string | null => {
    if (!selected) return null;
    if (tab === 'volumes') return selected;
    return listing?.path ? childPath(listing, selected) : null;
  };
  const choose = () => {
    const path = chosenPath();
    if (path) onChoose(path);
  };

  return (
    <section className="file-browser" aria-label={title ?? 'Choose a path'} data-testid="file-browser">
      {title !== undefined && <h3>{title}</h3>}
      <div className="tabs" role="tablist">
        {local && (
          <button type="button" role="tab" aria-selected={tab === 'files'} onClick={() => setTab('files')} data-testid="file-browser-files">
            Files on this host
          </button>
        )}
        <button type="button" role="tab" aria-selected={tab === 'volumes'} onClick={() => setTab('volumes')} data-testid="file-browser-volumes">
          Storage volumes
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {tab === 'files' && listing && (
        <>
          <div className="browser-location">
            <button type="button" disabled={listing.path === null} onClick={() => open(listing.parent ?? undefined, false)} data-testid="file-browser-up" title={listing.parent ? `Up to ${listing.parent}` : 'The folders you can browse'}>
              ↑ Up
            </button>
            <code data-testid="file-browser-path">{listing.path ?? 'Folders you can browse'}</code>
          </div>
          <ul className="browser-entries" role="listbox" aria-label="Files">
            {listing.entries.length === 0 && <li className="empty">Empty folder</li>}
            {listing.entries.map((entry) => (
              <li
                key={entry.name}
                role="option"
                aria-selected={selected === entry.name}
                className={`entry ${entry.type}`}
                data-testid="file-browser-entry"
                data-name={entry.name}
                tabIndex={0}
                onClick={() => (entry.type === 'dir' ? open(childPath(listing, entry.name), false) : setSelected(entry.name))}
                onDoubleClick={() => entry.type !== 'dir' && onChoose(childPath(listing, entry.name))}
                onKeyDown={(e) => {
                  if (e.key !== 'Enter') return;
                  if (entry.type === 'dir') open(childPath(listing, entry.name), false);
                  else setSelected(entry.name);
                }}
              >
                <span className="entry-icon" aria-hidden="true">
                  {entry.type === 'dir' ? '▸' : entry.type === 'block' ? '◉' : '·'}
                </span>
                <span className="entry-name">
                  {entry.name}
                  {entry.type === 'dir' && listing.path !== null ? '/' : ''}
                </span>
                <span className="entry-size">{entry.sizeBytes === null ? (entry.type === 'block' ? 'drive' : '') : bytes(entry.sizeBytes)}</span>
              </li>
            ))}
          </ul>
          {listing.truncated && <p className="hint">Only the first entries are shown: type the path instead.</p>}
        </>
      )}
      {tab === 'volumes' && (
        <>
          <label>
            Pool
            <select value={pool} onChange={(e) => setPool(e.target.value)} data-testid="file-browser-pool">
              {activePools.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                  {p.availableMiB !== undefined && ` (${mib(p.availableMiB)} free)`}
                </option>
              ))}
            </select>
          </label>
          <ul className="browser-entries" role="listbox" aria-label="Volumes">
            {volumes === null && <li className="empty">Loading…</li>}
            {volumes?.length === 0 && <li className="empty">No volumes in this pool</li>}
            {volumes?.map((v) => (
              <li
                key={v.path}
                role="option"
                aria-selected={selected === v.path}
                className="entry file"
                data-testid="file-browser-entry"
                data-name={v.name}
                tabIndex={0}
                onClick={() => setSelected(v.path)}
                onDoubleClick={() => onChoose(v.path)}
                onKeyDown={(e) => e.key === 'Enter' && setSelected(v.path)}
              >
                <span className="entry-icon" aria-hidden="true">
                  ·
                </span>
                <span className="entry-name">{v.name}</span>
                <span className="entry-size">
                  {mib(v.capacityMiB)}
                  {v.format ? ` ${v.format}` : ''}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      <div className="dialog-buttons">
        <button type="button" onClick={onCancel} data-testid="file-browser-cancel">
          Cancel
        </button>
        <button type="button" disabled={!chosenPath()} onClick={choose} data-testid="file-browser-choose">
          Choose
        </button>
      </div>
    </section>
  );
}
