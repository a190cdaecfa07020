// "Open console" / "Open details": the VM's own window. In Electron main opens (or brings
// forward) a window per VM; in the browser shell it is a tab on #/vm/<connectionId>/<uuid>/<tab>,
// named after the VM so asking again reuses it. The page behind the route is the VM window's.
import { type VmWindowRequest, parseVmWindowRoute, vmWindowRoute } from '../shared/api/bridge.js';

export type VmWindowTab = VmWindowRequest['tab'];

export { parseVmWindowRoute, vmWindowRoute };

/** The browser-shell URL of a VM window, relative to this page. */
export function vmWindowUrl(connectionId: string, uuid: string, tab: VmWindowTab, base: string = location.href): string {
  const url = new URL(base);
  url.hash = vmWindowRoute({ connectionId, uuid, tab });
  return url.href;
}

export async function openVmWindow(connectionId: string, uuid: string, tab: VmWindowTab): Promise<void> {
  if (window.vireo) {
    await window.vireo.openVmWindow({ connectionId, uuid, tab });
    return;
  }
  // No 'noopener': the new tab gets a copy of this tab's sessionStorage, where the access token is.
  const opened = window.open(vmWindowUrl(connectionId, uuid, tab), `vireo-vm-${connectionId}-${uuid}-${tab}`);
  if (!opened) throw new Error('The browser blocked the new window: allow pop-ups for Vireo');
  opened.focus();
}
