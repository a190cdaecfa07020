// The console-related devices of a domain XML (as libvirt writes it): <graphics> and the
// character devices <serial>, <console>, <parallel>, <channel>. A small element reader is
// enough here: libvirt's output is well-formed, and only elements and attributes matter.
import type { GraphicsConsoleInfo, SerialConsoleInfo } from '../../shared/models/console.js';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? whole;
  });

/** The element tree of an XML document (text, comments, CDATA and PIs skipped). */
export function parseElements(xml: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: {}, children: [] };
  const stack: XmlElement[] = [root];
  const tag = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/([^\s>]+)\s*>|<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  const attr = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
  for (const m of xml.matchAll(tag)) {
    const [, close, open, attrText, selfClose] = m;
    if (close) {
      if (stack.length > 1 && stack.at(-1)!.name === close) stack.pop();
      continue;
    }
    if (!open) continue;
    const attrs: Record<string, string> = {};
    for (const a of (attrText ?? '').matchAll(attr)) attrs[a[1]!] = decode(a[2] ?? a[3] ?? '');
    const element: XmlElement = { name: open, attrs, children: [] };
    stack.at(-1)!.children.push(element);
    if (!selfClose) stack.push(element);
  }
  return root;
}

const child = (e: XmlElement | undefined, name: string) => e?.children.find((c) => c.name === name);
const intOrNull = (s: string | undefined): number | null => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : null);

function devicesOf(xml: string): XmlElement[] {
  return child(child(parseElements(xml), 'domain'), 'devices')?.children ?? [];
}

/** The <graphics> devices in document order: their position is virDomainOpenGraphicsFD's idx. */
export function graphicsOf(xml: string): GraphicsConsoleInfo[] {
  return devicesOf(xml)
    .filter((d) => d.name === 'graphics')
    .map((g, index) => {
      const listen = g.children.find((c) => c.name === 'listen');
      const port = intOrNull(g.attrs.port);
      const tlsPort = intOrNull(g.attrs.tlsPort);
      const socket = g.attrs.socket ?? (listen?.attrs.type === 'socket' ? (listen.attrs.socket ?? null) : null);
      return {
        index,
        type: g.attrs.type ?? 'unknown',
        passwordRequired: g.attrs.passwd !== undefined,
        address: listen?.attrs.address ?? g.attrs.listen ?? null,
        // -1: autoport not assigned yet (guest off)
        port: port !== null && port > 0 ? port : null,
        tlsPort: tlsPort !== null && tlsPort > 0 ? tlsPort : null,
        socket,
      };
    });
}

/** The VNC/SPICE password of graphics device `index` (secure XML only), or null. */
export function graphicsPassword(xml: string, index: number): string | null {
  return devicesOf(xml).filter((d) => d.name === 'graphics')[index]?.attrs.passwd ?? null;
}

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
    const target = child(d, 'target');
    const alias = child(d, 'alias')?.attrs.name ?? null;
    const targetType = target?.attrs.type ?? null;
    const port = intOrNull(target?.attrs.port);
    const sourceType = d.attrs.type ?? 'pty';
    // <console type='pty'><target type='serial' port='0'/> is the first <serial> itself.
    if (kind === 'console' && targetType === 'serial' && (alias === null ? counts.serial > 0 : out.some((s) => s.devName === alias))) continue;
    if (kind === 'channel' && targetType !== 'virtio') continue; // guestfwd/xen channels are not consoles
    counts[kind] += 1;
    const name = kind === 'channel' ? (target?.attrs.name ?? 'channel') : null;
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
