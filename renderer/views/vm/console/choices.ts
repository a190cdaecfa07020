// Which consoles a VM has, in the order the console chooser lists them, and which one shows
// first. Pure functions of consoles.info (unit-tested).
import type { ConsoleInfo } from '../../../../shared/models/console.js';
import type { VmState } from '../../../../shared/models/vm.js';

/** States in which the guest's QEMU process exists, so its consoles can be opened. */
export const isLive = (state: VmState | undefined): boolean =>
  state === 'running' || state === 'blocked' || state === 'paused' || state === 'shutdown' || state === 'pmsuspended';

export type ConsoleChoice =
  | { key: string; kind: 'graphics'; index: number; type: string; label: string }
  | { key: string; kind: 'serial'; index: number; device: string | null; label: string; unavailable: string | null };

export const GRAPHICS_LABEL: Record<string, string> = { vnc: 'VNC', spice: 'SPICE', rdp: 'RDP', 'egl-headless': 'EGL headless', dbus: 'D-Bus' };

/** The consoles in menu order: graphics first, then text consoles. */
export function consoleChoices(info: ConsoleInfo): ConsoleChoice[] {
  const graphics = info.graphics.map((g): ConsoleChoice => ({
    key: `graphics:${g.index}`,
    kind: 'graphics',
    index: g.index,
    type: g.type,
    label: `Graphical console${info.graphics.length > 1 ? ` ${g.index + 1}` : ''} (${GRAPHICS_LABEL[g.type] ?? g.type})`,
  }));
  const serials = info.serials.map((s, i): ConsoleChoice => ({ key: `serial:${i}`, kind: 'serial', index: i, device: s.devName, label: s.label, unavailable: s.unavailable }));
  return [...graphics, ...serials];
}

/**
 * What to show first: a VNC display, else another display (its notice says how to open it, as
 * virt-manager does for SPICE), else a text console that opens, else whatever there is.
 */
export function defaultChoice(choices: ConsoleChoice[]): ConsoleChoice | null {
  return (
    choices.find((c) => c.kind === 'graphics' && c.type === 'vnc') ??
    choices.find((c) => c.kind === 'graphics') ??
    choices.find((c) => c.kind === 'serial' && c.unavailable === null) ??
    choices[0] ??
    null
  );
}
