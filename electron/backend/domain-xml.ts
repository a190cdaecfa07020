// Just enough of a domain's XML for the manager window: its disks and its NVRAM file, read from
// the XML libvirt writes (domainGetXML), with no XML library. libvirt's output is well-formed,
// so a tag scanner is enough; unknown elements are skipped.

export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[body] ?? whole;
  });
}

const TOKEN = /<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
const ATTR = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Parses an XML document into its root element; throws on mismatched tags. */
export function parseXml(xml: string): XmlNode {
  const root: XmlNode = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlNode[] = [root];
  for (const match of xml.matchAll(TOKEN)) {
    const [, cdata, closing, name, attrText, selfClosing, text] = match;
    const top = stack.at(-1)!;
    if (text !== undefined || cdata !== undefined) {
      top.text += cdata ?? decode(text!);
      continue;
    }
    if (name === undefined) continue; // comment, processing instruction, doctype
    if (closing) {
      if (top.name !== name) throw new Error(`malformed XML: </${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const [, key, dq, sq] of (attrText ?? '').matchAll(ATTR)) attrs[key!] = decode(dq ?? sq ?? '');
    const node: XmlNode = { name, attrs, children: [], text: '' };
    top.children.push(node);
    if (!selfClosing) stack.push(node);
  }
  if (stack.length !== 1) throw new Error(`malformed XML: <${stack.at(-1)!.name}> is not closed`);
  const element = root.children[0];
  if (!element) throw new Error('malformed XML: no root element');
  return element;
}

const child = (node: XmlNode | undefined, name: string) => node?.children.find((c) => c.name === name);
const children = (node: XmlNode | undefined, name: string) => node?.children.filter((c) => c.name === name) ?? [];

export interface DomainDisk {
  /** The <disk type>: file, block, dir, volume, network, nvme... */
  type: string;
  device: 'disk' | 'cdrom' | 'floppy' | 'lun';
  target: string;
  /** file/block/dir: the path; volume: "pool/volume"; network: "protocol:name"; null: empty drive. */
  source: string | null;
  /** For type='volume'. */
  pool: string | null;
  volume: string | null;
  readonly: boolean;
  shareable: boolean;
}

export interface DomainStorage {
  name: string;
  uuid: string;
  disks: DomainDisk[];
  /** The UEFI variable store's path, null without one. */
  nvram: string | null;
}

function diskSource(type: string, source: XmlNode | undefined): Pick<DomainDisk, 'source' | 'pool' | 'volume'> {
  const none = { source: null, pool: null, volume: null };
  if (!source) return none;
  const a = source.attrs;
  switch (type) {
    case 'file':
      return a.file ? { ...none, source: a.file } : none;
    case 'block':
      return a.dev ? { ...none, source: a.dev } : none;
    case 'dir':
      return a.dir ? { ...none, source: a.dir } : none;
    case 'volume':
      return a.pool && a.volume ? { source: `${a.pool}/${a.volume}`, pool: a.pool, volume: a.volume } : none;
    case 'network':
      return a.name ? { ...none, source: `${a.protocol ?? 'network'}:${a.name}` } : none;
    default:
      return a.file || a.dev || a.path ? { ...none, source: a.file ?? a.dev ?? a.path ?? null } : none;
  }
}

/** Disks (empty drives included, source null) and the NVRAM file of a domain. */
export function domainStorage(xml: string): DomainStorage {
  const domain = parseXml(xml);
  if (domain.name !== 'domain') throw new Error(`not a domain XML (root <${domain.name}>)`);
  const devices = child(domain, 'devices');
  const disks = children(devices, 'disk').map((disk): DomainDisk => {
    const type = disk.attrs.type ?? 'file';
    const device = (['disk', 'cdrom', 'floppy', 'lun'] as const).find((d) => d === disk.attrs.device) ?? 'disk';
    return {
      type,
      device,
      target: child(disk, 'target')?.attrs.dev ?? '',
      ...diskSource(type, child(disk, 'source')),
      readonly: child(disk, 'readonly') !== undefined,
      shareable: child(disk, 'shareable') !== undefined,
    };
  });
  // <nvram>path</nvram>, or (libvirt ≥ 8.5) <nvram type='file'><source file='path'/></nvram>.
  const nvram = child(child(domain, 'os'), 'nvram');
  const nvramPath = nvram ? (child(nvram, 'source')?.attrs.file ?? nvram.text.trim()) || null : null;
  return { name: child(domain, 'name')?.text.trim() ?? '', uuid: child(domain, 'uuid')?.text.trim() ?? '', disks, nvram: nvramPath };
}
