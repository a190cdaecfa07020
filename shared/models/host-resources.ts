// A connection's virtual networks and storage pools, as the Connection details dialog shows and
// manages them (virt-manager's Connection Details: Virtual Networks, Storage).

export interface VirtualNetwork {
  name: string;
  active: boolean;
  autostart: boolean;
  persistent: boolean;
  /** The host bridge it makes (virbr0...), when active or configured. */
  bridge: string | null;
  /** nat, route, open, bridge...; 'isolated' without <forward>. */
  mode: string;
  /** 192.168.122.1/24 and its DHCP range, when it has an IPv4 address. */
  ipv4: { address: string; prefix: number; dhcp: { start: string; end: string } | null } | null;
}

export interface StoragePool {
  name: string;
  /** dir, fs, logical, disk, iscsi, netfs... */
  type: string;
  active: boolean;
  autostart: boolean;
  persistent: boolean;
  /** Where its volumes live (dir pools: a folder). */
  path: string | null;
  capacityBytes: number;
  allocationBytes: number;
  availableBytes: number;
}

/** Checks an IPv4 network in CIDR form for a new virtual network: 192.168.150.0/24 (prefix 8 to 29). */
export function parseIpv4Network(cidr: string): { network: number[]; prefix: number } | string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!match) return 'write the network as an IPv4 address and prefix, like 192.168.150.0/24';
  const network = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (network.some((byte) => byte > 255)) return `${cidr} is not an IPv4 address`;
  if (prefix < 8 || prefix > 29) return 'the prefix must be from 8 to 29 (a /24 gives 253 addresses)';
  const value = ((network[0]! << 24) | (network[1]! << 16) | (network[2]! << 8) | network[3]!) >>> 0;
  const hostBits = value & (2 ** (32 - prefix) - 1);
  if (hostBits !== 0) return `${cidr} has host bits set: the network of a /${prefix} ends in zeros`;
  return { network, prefix };
}
