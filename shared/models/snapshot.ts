// A VM's snapshots, as the VM window's Snapshots tab shows them (virt-manager's Snapshots view).

export interface VmSnapshot {
  name: string;
  /** The snapshot this one was taken on top of; null for a root. */
  parent: string | null;
  /** The one the VM is based on now (new snapshots take it as their parent). */
  current: boolean;
  description: string | null;
  /** When it was taken (ms since the epoch). */
  createdAt: number | null;
  /** The VM's state when it was taken: 'running', 'paused', 'shutoff', 'disk-snapshot'... */
  state: string;
  /** Holds the guest's memory: reverting resumes the guest where it was. */
  withMemory: boolean;
}

/** libvirt's rules for snapshot names, checked before asking it, with a message for people. */
export function snapshotNameProblem(name: string): string | null {
  if (name.trim() === '') return 'the snapshot needs a name';
  if (name !== name.trim()) return 'the name cannot start or end with spaces';
  if (name.includes('/')) return 'the name cannot contain "/"';
  if ([...name].some((ch) => ch.charCodeAt(0) < 0x20)) return 'the name cannot contain control characters';
  if (name.length > 200) return 'the name is too long (200 characters at most)';
  return null;
}

/**
 * The snapshots as a tree, depth first: each after its parent, siblings oldest first (then by
 * name); `depth` is the number of ancestors. Snapshots whose parent is not listed are roots.
 */
export function snapshotTree(snapshots: readonly VmSnapshot[]): Array<{ snapshot: VmSnapshot; depth: number }> {
  const names = new Set(snapshots.map((snapshot) => snapshot.name));
  const children = new Map<string | null, VmSnapshot[]>();
  for (const snapshot of snapshots) {
    const parent = snapshot.parent !== null && names.has(snapshot.parent) ? snapshot.parent : null;
    children.set(parent, [...(children.get(parent) ?? []), snapshot]);
  }
  const older = (a: VmSnapshot, b: VmSnapshot) => (a.createdAt ?? 0) - (b.createdAt ?? 0) || a.name.localeCompare(b.name);
  const out: Array<{ snapshot: VmSnapshot; depth: number }> = [];
  const visit = (parent: string | null, depth: number) => {
    for (const snapshot of (children.get(parent) ?? []).toSorted(older)) {
      out.push({ snapshot, depth });
      visit(snapshot.name, depth + 1);
    }
  };
  visit(null, 0);
  return out;
}
