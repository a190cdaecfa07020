// What deleting a VM can remove besides its definition, as the delete dialog lists it.

export interface DeletableDisk {
  /** Guest device name: vda, sdb, hdc... */
  target: string;
  device: 'disk' | 'cdrom' | 'floppy' | 'lun';
  /** The storage as the domain XML names it: a file or device path, "pool/volume", or a network source. */
  source: string | null;
  /** The volume's path when it is a volume of a libvirt storage pool. */
  volumePath: string | null;
  pool: string | null;
  readonly: boolean;
  shareable: boolean;
  /** Other VMs of the connection that use the same storage (deleting it would break them). */
  usedBy: string[];
  /**
   * Only storage-pool volumes can be deleted (as virt-manager does): files outside every pool,
   * network disks and empty drives stay, and the dialog says why.
   */
  deletable: boolean;
  /** Pre-checked in the dialog: a deletable, writable, unshared disk. */
  suggested: boolean;
  /** Why it cannot be deleted or is not suggested; null when there is nothing to say. */
  note: string | null;
}

export interface VmDeletePlan {
  connectionId: string;
  uuid: string;
  name: string;
  /** Running, paused...: it has to be forced off before it can be deleted. */
  active: boolean;
  persistent: boolean;
  disks: DeletableDisk[];
  hasManagedSave: boolean;
  /** Snapshot names; their metadata goes with the VM (libvirt refuses to undefine it otherwise). */
  snapshots: string[];
  /** UEFI variable store file, null without one. */
  nvram: string | null;
  /** Whether the other VMs were checked for shared disks (skipped on very large connections). */
  sharingChecked: boolean;
}

export interface VmDeleteResult {
  /** Volume paths deleted. */
  deletedDisks: string[];
  /** Disks that could not be deleted although asked for; the VM itself is gone. */
  failedDisks: { path: string; message: string }[];
}
