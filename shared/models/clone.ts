// Cloning a VM as virt-manager's Clone dialog does: a new name, new MAC addresses, and for each
// disk a copy (storage-pool volumes: a new volume beside the original) or the same disk, shared.

export type CloneDiskAction = 'clone' | 'share';

export interface CloneDisk {
  /** The guest's name for the disk: vda, sdb, hdc. */
  target: string;
  device: 'disk' | 'cdrom' | 'floppy' | 'lun';
  /** Its file, device or pool/volume; null for an empty drive (nothing to copy). */
  source: string | null;
  /** The new volume a copy would be: in the same pool; null when the disk cannot be copied. */
  copyTo: { pool: string; name: string } | null;
  /** What the dialog starts with: copies of writable volumes, the rest shared. */
  proposed: CloneDiskAction;
  /** Why the disk is shared by default or cannot be copied, for people. */
  note: string | null;
}

export interface ClonePlan {
  connectionId: string;
  uuid: string;
  name: string;
  /** A free name: NAME-clone, NAME-clone1... */
  proposedName: string;
  /** The name the copies' volume names are made from: the one asked about, else proposedName. */
  cloneName: string;
  /** Cloning needs the VM shut off (its disks must not change while they are copied). */
  blockedBecause: string | null;
  disks: CloneDisk[];
}

export interface CloneResult {
  uuid: string;
  name: string;
  /** The new volumes' paths. */
  volumes: string[];
}
