// The console-related devices of a domain XML (as libvirt writes it): <graphics> and the
// character devices <serial>, <console>, <parallel>, <channel>, read through the shared XML model.
import type { GraphicsConsoleInfo, SerialConsoleInfo } from '../../shared/models/console.js';
import { type XmlElement, parse } from '../../shared/xml/document.js';

const intOrNull = (s: string | undefined): number | null => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : null);

function devicesOf(xml: string): XmlElement[] {
  return parse(xml).root.child('devices')?.children() ?? [];
}

/** The <graphics> devices in document order: their position is virDomainOpenGraphicsFD's idx. */
export function graphicsOf(xml: string): GraphicsConsoleInfo[] {
  return devicesOf(xml)
    .filter((d) => d.name === 'graphics')
    .map((g, index) => {
      const listen = g.child('listen');
      const port = intOrNull(g.attr('port'));
      const tlsPort = intOrNull(g.attr('tlsPort'));
      const socket = g.attr('socket') ?? (listen?.attr('type') === 'socket' ? (listen.attr('socket') ?? null) : null);
      return {
        index,
        type: g.attr('type') ?? 'unknown',
        passwordRequired: g.attr('passwd') !== undefined,
        address: listen?.attr('address') ?? g.attr('listen') ?? null,
        // -1: autoport not assigned yet (guest off)
        port: port !== null && port > 0 ? port : null,
        tlsPort: tlsPort !== null && tlsPort > 0 ? tlsPort : null,
        socket,
      };
    });
}

/** The VNC/SPICE password of graphics device `index` (secure XML only), or null. */
export function graphicsPassword(xml: string, index: number): string | null {
  return devicesOf(xml).filter((d) => d.name === 'graphics')[index]?.attr('passwd') ?? null;
}

/** Channels QEMU itself serves (the clipboard agent, SPICE's agent): nothing a person could type into. */
const AGENT_CHANNELS = new Set(['qemu-vdagent', 'spicevmc', 'spiceport']);
const KIND_LABEL = { serial: 'Serial', console: 'Text console', parallel: 'Parallel', channel: 'Channel' } as const;

/**
 * The character devices a text console can attach to. A <console> that is the first serial port
 * seen again (target type 'serial', the same alias) is listed once, as virt-manager does.
 */
export function serialsOf(xml: string): SerialConsoleInfo[] {
  const out: SerialConsoleInfo[] = [];
  const counts = { serial: 0, console: 0, parallel: 0, channel: 0 };
  for (const d of devicesOf(xml)) {
    if (d.name !== 'serial' && d.name !== 'console' && d.name !== 'parallel' && d.name !== 'channel') continue;
    const kind = d.name;
    const target = d.child('target');
    const alias = d.child('alias')?.attr('name') ?? null;
    const targetType = target?.attr('type') ?? null;
    const port = intOrNull(target?.attr('port'));
    const sourceType = d.attr('type') ?? 'pty';
    // <console type='pty'><target type='serial' port='0'/> is the first <serial> itself.
    if (kind === 'console' && targetType === 'serial' && (alias === null ? counts.serial > 0 : out.some((s) => s.devName === alias))) continue;
    if (kind === 'channel' && targetType !== 'virtio') continue; // guestfwd/xen channels are not consoles
    if (kind === 'channel' && AGENT_CHANNELS.has(sourceType)) continue; // QEMU's own clipboard/SPICE agent ends
    counts[kind] += 1;
    const name = kind === 'channel' ? (target?.attr('name') ?? 'channel') : null;
    const qualifier = kind === 'console' && targetType && targetType !== 'serial' ? ` (${targetType})` : '';
    out.push({
      devName: alias,
      kind,
      targetType,
      port,
      sourceType,
      label: name ? `Channel ${name}` : `${KIND_LABEL[kind]}${qualifier} ${(port ?? counts[kind] - 1) + 1}`,
      unavailable: sourceType === 'pty' ? null : `${sourceType} devices cannot be opened as a console (only pty)`,
    });
  }
  return out;
}
