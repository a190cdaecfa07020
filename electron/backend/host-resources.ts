// The Connection details dialog's backend (virt-manager's Connection Details: Virtual Networks and
// Storage): networks and pools read from their XML, created, started, stopped, set to autostart
// and deleted; volumes deleted. What VMs use is not taken from under them: deleting a network an
// interface uses, or a volume a disk uses, is refused with their names. Each change is announced
// as 'hostResources.changed'.
import { type ConnectionHandle, type NativeBinding, isLibvirtError } from '../../native/index.js';
import type { ValidParams } from '../../shared/api/contract.js';
import { apiError } from '../../shared/api/errors.js';
import { type StoragePool, type VirtualNetwork, parseIpv4Network } from '../../shared/models/host-resources.js';
import { escapeText, parse } from '../../shared/xml/document.js';
import { domainStorage, scanOtherDomains } from './domain-xml.js';
import type { EventBus } from './event-bus.js';

/** A network from its XML and what netList says of it. */
export function parseNetwork(xml: string, info: { active: boolean; autostart: boolean; persistent: boolean; bridge: string | null }): VirtualNetwork {
  const root = parse(xml).root;
  const ip = root.children('ip').find((element) => (element.attr('family') ?? 'ipv4') === 'ipv4');
  const address = ip?.attr('address');
  const prefix = ip?.attr('prefix') ?? (ip?.attr('netmask') ? String(prefixOf(ip.attr('netmask')!)) : undefined);
  const range = ip?.find('dhcp/range');
  return {
    name: root.child('name')?.text().trim() ?? '',
    active: info.active,
    autostart: info.autostart,
    persistent: info.persistent,
    bridge: info.bridge ?? root.child('bridge')?.attr('name') ?? null,
    mode: root.child('forward')?.attr('mode') ?? (root.child('forward') ? 'nat' : 'isolated'),
    ipv4:
      address && prefix
        ? { address, prefix: Number(prefix), dhcp: range?.attr('start') && range.attr('end') ? { start: range.attr('start')!, end: range.attr('end')! } : null }
        : null,
  };
}

const prefixOf = (netmask: string) => netmask.split('.').reduce((bits, byte) => bits + Number(byte).toString(2).replace(/0/g, '').length, 0);
const dotted = (value: number) => [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');

/** The XML of a new NAT or isolated network: the host takes the first address, DHCP hands out the rest. */
export function networkXml(name: string, mode: 'nat' | 'isolated', cidr: string, dhcp: boolean): string {
  const parsed = parseIpv4Network(cidr);
  if (typeof parsed === 'string') throw apiError('invalid-input', parsed);
  const base = parsed.network.reduce((value, byte) => value * 256 + byte, 0);
  const size = 2 ** (32 - parsed.prefix);
  const range = dhcp ? `<dhcp><range start='${dotted(base + 2)}' end='${dotted(base + size - 2)}'/></dhcp>` : '';
  return `<network><name>${escapeText(name)}</name>${mode === 'nat' ? "<forward mode='nat'/>" : ''}<ip address='${dotted(base + 1)}' prefix='${parsed.prefix}'>${range}</ip></network>`;
}

export function parsePool(xml: string, info: { active: boolean; autostart: boolean; persistent: boolean; capacity: number; allocation: number; available: number }): StoragePool {
  const root = parse(xml).root;
  return {
    name: root.child('name')?.text().trim() ?? '',
    type: root.attr('type') ?? 'dir',
    active: info.active,
    autostart: info.autostart,
    persistent: info.persistent,
    path: root.find('target/path')?.text().trim() || null,
    capacityBytes: info.capacity,
    allocationBytes: info.allocation,
    availableBytes: info.available,
  };
}

const isCode = (e: unknown, code: string) => isLibvirtError(e) && e.code === code;

export class HostResourceService {
  constructor(
    private readonly lv: NativeBinding,
    private readonly events: EventBus,
  ) {}

  async networks(conn: ConnectionHandle): Promise<VirtualNetwork[]> {
    const list = await this.lv.netList(conn);
    const networks = await Promise.all(list.map(async (info) => parseNetwork(await this.lv.netGetXML(conn, info.name), info)));
    return networks.toSorted((a, b) => a.name.localeCompare(b.name));
  }

  async createNetwork(conn: ConnectionHandle, { connectionId, name, mode, ipv4, dhcp }: ValidParams<'networks.create'>): Promise<VirtualNetwork> {
    if ((await this.lv.netList(conn)).some((network) => network.name === name)) throw apiError('invalid-input', `There is a network named "${name}" already. Nothing was changed.`);
    await this.lv.netDefine(conn, networkXml(name, mode, ipv4, dhcp), { validate: true });
    try {
      await this.lv.netStart(conn, name);
      await this.lv.netSetAutostart(conn, name, true);
    } catch (e) {
      // All or nothing: a network that cannot start (its subnet is taken...) is not left defined.
      await this.lv.netDestroy(conn, name).catch(() => undefined);
      await this.lv.netUndefine(conn, name).catch(() => undefined);
      throw e;
    }
    this.changed(connectionId);
    return (await this.networks(conn)).find((network) => network.name === name)!;
  }

  async networkAction(conn: ConnectionHandle, action: 'start' | 'stop' | 'delete', { connectionId, name }: ValidParams<'networks.start'>): Promise<void> {
    if (action === 'start') await this.lv.netStart(conn, name);
    else if (action === 'stop') await this.lv.netDestroy(conn, name);
    else {
      const users = await this.users(conn, (xml) => parse(xml).root.findAll('devices/interface').some((nic) => nic.attr('type') === 'network' && nic.child('source')?.attr('network') === name));
      if (users.length > 0) throw apiError('invalid-input', `The network "${name}" is used by ${quoted(users)}: change their network first. Nothing was changed.`);
      await this.lv.netDestroy(conn, name).catch((e: unknown) => {
        if (!isCode(e, 'VIR_ERR_OPERATION_INVALID')) throw e; // not active
      });
      await this.lv.netUndefine(conn, name);
    }
    this.changed(connectionId);
  }

  async setNetworkAutostart(conn: ConnectionHandle, { connectionId, name, autostart }: ValidParams<'networks.setAutostart'>): Promise<void> {
    await this.lv.netSetAutostart(conn, name, autostart);
    this.changed(connectionId);
  }

  async pools(conn: ConnectionHandle): Promise<StoragePool[]> {
    const list = await this.lv.poolList(conn);
    const pools = await Promise.all(list.map(async (info) => parsePool(await this.lv.poolGetXML(conn, info.name), info)));
    return pools.toSorted((a, b) => a.name.localeCompare(b.name));
  }

  async createPool(conn: ConnectionHandle, { connectionId, name, path }: ValidParams<'pools.create'>): Promise<StoragePool> {
    if ((await this.lv.poolList(conn)).some((pool) => pool.name === name)) throw apiError('invalid-input', `There is a storage pool named "${name}" already. Nothing was changed.`);
    await this.lv.poolDefine(conn, `<pool type='dir'><name>${escapeText(name)}</name><target><path>${escapeText(path)}</path></target></pool>`, { validate: true });
    try {
      await this.lv.poolBuild(conn, name);
      await this.lv.poolStart(conn, name);
      await this.lv.poolSetAutostart(conn, name, true);
    } catch (e) {
      await this.lv.poolDestroy(conn, name).catch(() => undefined);
      await this.lv.poolUndefine(conn, name).catch(() => undefined);
      throw e;
    }
    this.changed(connectionId);
    return (await this.pools(conn)).find((pool) => pool.name === name)!;
  }

  async poolAction(conn: ConnectionHandle, action: 'start' | 'stop' | 'delete', { connectionId, name }: ValidParams<'pools.start'>): Promise<void> {
    if (action === 'start') await this.lv.poolStart(conn, name);
    else if (action === 'stop') await this.lv.poolDestroy(conn, name);
    else {
      await this.lv.poolDestroy(conn, name).catch((e: unknown) => {
        if (!isCode(e, 'VIR_ERR_OPERATION_INVALID')) throw e; // not active
      });
      await this.lv.poolUndefine(conn, name);
    }
    this.changed(connectionId);
  }

  async setPoolAutostart(conn: ConnectionHandle, { connectionId, name, autostart }: ValidParams<'pools.setAutostart'>): Promise<void> {
    await this.lv.poolSetAutostart(conn, name, autostart);
    this.changed(connectionId);
  }

  async deleteVolume(conn: ConnectionHandle, { connectionId, path }: ValidParams<'volumes.delete'>): Promise<void> {
    const volume = await this.lv.volGetInfo(conn, path);
    const users = await this.users(conn, (xml) => domainStorage(xml).disks.some((disk) => disk.source === volume.path));
    if (users.length > 0) throw apiError('invalid-input', `${volume.path} is a disk of ${quoted(users)}: remove it from them first. Nothing was deleted.`);
    await this.lv.volDelete(conn, volume.path);
    this.changed(connectionId);
  }

  /** Names of the VMs whose (inactive) XML matches. */
  private async users(conn: ConnectionHandle, uses: (xml: string) => boolean): Promise<string[]> {
    const names: string[] = [];
    await scanOtherDomains(this.lv, conn, null, (domain, xml) => {
      if (uses(xml)) names.push(domain.name);
    });
    return names.toSorted();
  }

  private changed(connectionId: string): void {
    this.events.emit('hostResources.changed', { connectionId });
  }
}

const quoted = (names: readonly string[]) => names.map((name) => `"${name}"`).join(', ');
