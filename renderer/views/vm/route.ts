// The per-VM window's address: #/vm/<connectionId>/<uuid>/<tab> (renderer/vm-window.ts opens
// it: a browser tab in the browser shell, a BrowserWindow in Electron). A token parameter may
// follow (?token= or &token=); the API client takes it out of the address.

export type VmTab = 'console' | 'details' | 'snapshots';
export const VM_TABS: readonly VmTab[] = ['console', 'details', 'snapshots'];

export interface VmRoute {
  connectionId: string;
  uuid: string;
  tab: VmTab;
}

/** The VM route in a location hash, or null for the manager window. */
export function parseVmRoute(hash: string): VmRoute | null {
  const path = hash.replace(/^#/, '').split(/[?&]/)[0] ?? '';
  const m = /^\/vm\/([^/]+)\/([^/]+)(?:\/([^/]*))?\/?$/.exec(path);
  if (!m) return null;
  let connectionId: string;
  let uuid: string;
  try {
    connectionId = decodeURIComponent(m[1]!);
    uuid = decodeURIComponent(m[2]!);
  } catch {
    return null;
  }
  const tab = VM_TABS.find((t) => t === m[3]) ?? 'console';
  return { connectionId, uuid, tab };
}

export function vmRouteHash({ connectionId, uuid, tab }: VmRoute): string {
  return `#/vm/${encodeURIComponent(connectionId)}/${encodeURIComponent(uuid)}/${tab}`;
}
