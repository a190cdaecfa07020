// virt-manager's "Add Connection" URI builder: a hypervisor, optionally over SSH to a host.

export type Hypervisor = 'qemu-system' | 'qemu-session' | 'lxc' | 'test';

export const HYPERVISORS: { id: Hypervisor; label: string }[] = [
  { id: 'qemu-system', label: 'QEMU/KVM' },
  { id: 'qemu-session', label: 'QEMU/KVM user session' },
  { id: 'lxc', label: 'LXC (Linux containers)' },
  { id: 'test', label: "libvirt's test driver" },
];

export interface UriParts {
  hypervisor: Hypervisor;
  /** Connect to a remote host over SSH. */
  ssh: boolean;
  user: string;
  /** host or host:port */
  host: string;
}

const PATHS: Record<Hypervisor, { scheme: string; path: string }> = {
  'qemu-system': { scheme: 'qemu', path: '/system' },
  'qemu-session': { scheme: 'qemu', path: '/session' },
  lxc: { scheme: 'lxc', path: '/' },
  test: { scheme: 'test', path: '/default' },
};

/** The URI the parts make, or null while the host is missing for an SSH connection. */
export function buildUri(parts: UriParts): string | null {
  const { scheme, path } = PATHS[parts.hypervisor];
  if (!parts.ssh) return `${scheme}://${path}`;
  const host = parts.host.trim();
  if (!host || /[\s/@?#]/.test(host)) return null;
  const user = parts.user.trim();
  return `${scheme}+ssh://${user ? `${encodeURIComponent(user)}@` : ''}${host}${path}`;
}
