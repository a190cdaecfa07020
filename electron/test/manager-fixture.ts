// A libvirt test-driver node file for the manager window's tests (backend integration and
// e2e): VMs in every state, a storage pool whose volumes some VMs use (one shared by two VMs),
// disks outside any pool, a saved VM, a UEFI VM with NVRAM. test:///<file> keeps its state per
// connection, in memory: each open starts from this file again.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NS = "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'";
/** libvirt's virDomainState numbers, for <test:runstate>. */
const RUNSTATE = { running: 1, paused: 3, shutoff: 5 } as const;

export interface FixtureVm {
  name: string;
  uuid: string;
  state: keyof typeof RUNSTATE;
  disks?: { target: string; path: string; device?: 'disk' | 'cdrom'; readonly?: boolean }[];
  managedSave?: boolean;
  nvram?: string;
}

export const POOL = { name: 'lab-pool', path: '/lab-pool' } as const;
export const POOL_VOLUMES = ['web-1.qcow2', 'web-2.qcow2', 'db.qcow2', 'shared.img'] as const;
const vol = (name: (typeof POOL_VOLUMES)[number]) => `${POOL.path}/${name}`;
const uuid = (n: number) => `5e1ec7ed-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export const FIXTURE_VMS: FixtureVm[] = [
  {
    name: 'web-1',
    uuid: uuid(1),
    state: 'running',
    disks: [
      { target: 'vda', path: vol('web-1.qcow2') },
      { target: 'hdc', path: '/iso/installer.iso', device: 'cdrom', readonly: true },
    ],
  },
  { name: 'web-2', uuid: uuid(2), state: 'running', disks: [{ target: 'vda', path: vol('web-2.qcow2') }, { target: 'vdb', path: vol('shared.img') }] },
  { name: 'web-10', uuid: uuid(3), state: 'paused' },
  { name: 'db', uuid: uuid(4), state: 'shutoff', managedSave: true, disks: [{ target: 'vda', path: vol('db.qcow2') }, { target: 'vdb', path: vol('shared.img') }] },
  { name: 'cache', uuid: uuid(5), state: 'shutoff' },
  { name: 'build', uuid: uuid(6), state: 'running' },
  { name: 'legacy', uuid: uuid(7), state: 'shutoff', disks: [{ target: 'vda', path: '/srv/images/legacy.img' }] },
  { name: 'uefi', uuid: uuid(8), state: 'shutoff', nvram: '/var/lib/libvirt/qemu/nvram/uefi_VARS.fd' },
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;');

function domainXml(vm: FixtureVm): string {
  const disks = (vm.disks ?? [])
    .map(
      (d) =>
        `<disk type='file' device='${d.device ?? 'disk'}'><source file='${esc(d.path)}'/><target dev='${d.target}'/>${d.readonly ? '<readonly/>' : ''}</disk>`,
    )
    .join('');
  const os = vm.nvram
    ? `<os><type>hvm</type><loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader><nvram>${esc(vm.nvram)}</nvram></os>`
    : '<os><type>hvm</type></os>';
  return (
    `<domain type='test' ${NS}><name>${esc(vm.name)}</name><uuid>${vm.uuid}</uuid><memory unit='MiB'>512</memory><vcpu>2</vcpu>${os}` +
    `<devices>${disks}</devices><test:runstate>${RUNSTATE[vm.state]}</test:runstate>${vm.managedSave ? '<test:hasmanagedsave>yes</test:hasmanagedsave>' : ''}</domain>`
  );
}

/** Writes the node file; returns its test:/// URI. */
export function managerFixtureUri(dir = join(tmpdir(), 'vireo-manager-fixture')): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `node-${process.pid}.xml`);
  const volumes = POOL_VOLUMES.map(
    (name) =>
      `<volume type='file'><name>${name}</name><key>${vol(name)}</key><capacity unit='GiB'>1</capacity><allocation>0</allocation><target><path>${vol(name)}</path></target></volume>`,
  ).join('');
  const pool =
    `<pool type='dir'><name>${POOL.name}</name><uuid>35bb2ad9-388a-cdfe-461a-b8907f6e5301</uuid><capacity unit='GiB'>100</capacity>` +
    `<allocation>0</allocation><available unit='GiB'>100</available><source/><target><path>${POOL.path}</path></target>${volumes}</pool>`;
  writeFileSync(file, ['<node>', pool, ...FIXTURE_VMS.map(domainXml), '</node>'].join('\n'));
  return `test://${file}`;
}
