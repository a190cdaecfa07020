// Applying the wizard's edits to the definitions create.ts builds: the customized XML (from
// wizard.preview, edited by the user) replaces the planned one, with the disk paths the volumes
// really got; the install phase keeps the installer's boot settings on top of it. Also attaches an
// existing disk chosen on the storage page.
import type { XmlElement } from '../../shared/xml/document.js';
import type { DomainConfig } from '../../shared/xml/domain.js';

/** Makes `target` hold `source`'s document (in place: create.ts keeps using `target`). */
export function replaceDomainContent(target: DomainConfig, source: DomainConfig): void {
  const to = target.element;
  const from = source.element;
  to.attributes.splice(0, to.attributes.length, ...from.attributes);
  for (const node of to.nodes) node.parent = null;
  to.nodes.splice(0, to.nodes.length, ...from.nodes);
  for (const node of to.nodes) node.parent = to;
  to.selfClosing = from.selfClosing;
  to.startTagEnd = from.startTagEnd;
  to.endTagEnd = from.endTagEnd;
}

/** Source paths of the disks, in document order. */
export const diskPaths = (config: DomainConfig): (string | undefined)[] => config.devices('disk').map((d) => d.get('sourceFile'));

/**
 * The edited definition for one phase: `custom` (parsed afresh from the user's XML) with predicted
 * paths swapped for the real ones; in the install phase, the planned installer boot (boot devices,
 * kernel, on_reboot) replaces the custom one.
 */
export function customizedFor(custom: DomainConfig, planned: DomainConfig, phase: 'install' | 'final', predictedPaths: readonly (string | undefined)[]): DomainConfig {
  const actual = diskPaths(planned);
  const renamed = new Map<string, string>();
  predictedPaths.forEach((predicted, i) => {
    const real = actual[i];
    if (predicted !== undefined && real !== undefined && predicted !== real) renamed.set(predicted, real);
  });
  for (const disk of custom.devices('disk')) {
    const source = disk.get('sourceFile');
    const real = source === undefined ? undefined : renamed.get(source);
    if (real !== undefined) disk.set('sourceFile', real);
  }
  if (phase === 'install') {
    const installer = planned.values();
    custom.update({ kernel: installer.kernel, initrd: installer.initrd, cmdline: installer.cmdline, onReboot: installer.onReboot });
    const devices = planned.bootDevices();
    if (devices.length > 0) {
      // Per-device boot orders would conflict with <os><boot dev>: the installer's order wins while installing.
      for (const device of custom.bootOrder()) device.set('bootOrder', undefined);
      custom.setBootDevices(devices);
    }
  }
  return custom;
}

export type DiskBus = 'virtio' | 'ide' | 'sata' | 'scsi';
const TARGET_PREFIX: Record<DiskBus, string> = { virtio: 'vd', ide: 'hd', sata: 'sd', scsi: 'sd' };

/** Adds an existing image as the VM's disk, on virtio when the OS has the drivers, else on the bus its CD-ROMs use. */
export function attachExistingDisk(config: DomainConfig, disk: { path: string; format: 'qcow2' | 'raw'; type: 'file' | 'block' }, virtio: boolean): void {
  const disks = config.devices('disk');
  const cdromBus = disks.find((d) => d.get('device') === 'cdrom')?.get('targetBus') as DiskBus | undefined;
  const machine = config.get('machine') ?? '';
  const arch = config.get('arch') ?? '';
  const emulated: DiskBus = cdromBus ?? (machine.includes('q35') ? 'sata' : arch === 'x86_64' || arch === 'i686' ? 'ide' : 'scsi');
  const bus: DiskBus = virtio ? 'virtio' : emulated;
  const prefix = TARGET_PREFIX[bus];
  const used = new Set(disks.map((d) => d.get('targetDev')));
  let letter = 0;
  while (used.has(`${prefix}${String.fromCharCode(97 + letter)}`)) letter++;
  const added = config.addDisk({
    type: disk.type,
    device: 'disk',
    driverName: 'qemu',
    driverType: disk.format,
    ...(disk.type === 'block' ? { sourceDev: disk.path } : { sourceFile: disk.path }),
    targetDev: `${prefix}${String.fromCharCode(97 + letter)}`,
    targetBus: bus,
  });
  // The VM's own disk goes first, where boot from 'hd' and the reader expect it.
  const first = disks[0]?.element;
  if (first) moveBefore(added.element, first);
}

function moveBefore(element: XmlElement, reference: XmlElement): void {
  const parent = reference.parent;
  if (!parent || parent.kind !== 'element' || element === reference) return;
  element.remove();
  parent.insertBefore(element, reference);
}
