// The details service (details.get / details.apply / details.hostResources) through the ApiSession
// both shells use: on the Demo connection (libvirt's test driver: persistent define path; it has
// no device hotplug) and on the lab's libvirtd with tiny guests (live paths). Every apply is
// checked by reloading from libvirt: exactly the edited lines changed.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMessage } from '../../shared/api/contract.js';
import { setOsInfoId } from '../../shared/details/config.js';
import type { ApplyOutcome, HostResources, VmDetails } from '../../shared/details/model.js';
import type { ApiError } from '../../shared/models/error.js';
import { DomainConfig } from '../../shared/xml/domain.js';
import { createElement } from '../../shared/xml/document.js';
import { lineDiff } from '../../shared/xml/test-support.js';
import { defineGuest, labReady, removeGuest, virsh } from '../test/lab.js';
import { type LoggedGuest, defineLoggedGuest, waitForBoot } from '../../e2e/details-lab.js';
import { type Backend, createBackend } from './backend.js';
import { parseDomainCapabilities, parseHostDevice } from './domain-config.js';
import { ApiSession } from './session.js';
import { type NativeBinding, loadBinding } from '../../native/index.js';

const TEST_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';
const lab = labReady();

let dir: string;
let backend: Backend;
let session: ApiSession;
const events: EventMessage[] = [];

async function call<T>(method: string, params: unknown): Promise<T> {
  const outcome = await session.call(method, params);
  if (!outcome.ok) throw Object.assign(new Error(outcome.error.message), { apiError: outcome.error });
  return outcome.value as T;
}
async function refusal(method: string, params: unknown): Promise<ApiError> {
  const outcome = await session.call(method, params);
  if (outcome.ok) throw new Error(`${method} was expected to fail`);
  return outcome.error;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vireo-details-'));
  backend = createBackend({ ...(lab && { launchUri: 'qemu:///system' }), detected: [], configDir: join(dir, 'config') });
  session = new ApiSession(backend, (message) => events.push(message));
  await backend.start();
});

afterAll(async () => {
  session?.dispose();
  await backend?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** Loads, edits the next-boot XML in place, applies; returns the outcome and the edited XML. */
async function edit(vm: { connectionId: string; uuid: string }, change: (config: DomainConfig) => void, extra: Record<string, unknown> = {}) {
  const details = await call<VmDetails>('details.get', vm);
  const config = DomainConfig.parse(details.inactiveXml);
  change(config);
  const outcome = await call<ApplyOutcome>('details.apply', { ...vm, base: details.inactiveXml, xml: config.toXml(), ...extra });
  return { before: details, xml: config.toXml(), outcome };
}

async function refusedEdit(vm: { connectionId: string; uuid: string }, change: (config: DomainConfig) => void): Promise<{ error: ApiError; unchanged: boolean }> {
  const details = await call<VmDetails>('details.get', vm);
  const config = DomainConfig.parse(details.inactiveXml);
  change(config);
  const error = await refusal('details.apply', { ...vm, base: details.inactiveXml, xml: config.toXml() });
  const after = await call<VmDetails>('details.get', vm);
  return { error, unchanged: after.inactiveXml === details.inactiveXml && after.liveXml === details.liveXml };
}

describe('details on the Demo connection (test driver)', () => {
  const vm = { connectionId: 'demo', uuid: TEST_UUID };

  it('reads the next-boot and live XML of the running Demo VM, with nothing pending', async () => {
    const details = await call<VmDetails>('details.get', vm);
    expect(details).toMatchObject({ name: 'test', state: 'running', persistent: true, autostart: false, pending: [], capabilities: null, os: null });
    expect(details.host).toEqual({ memoryKiB: 3145728, cpus: 16, local: true, hypervisor: 'TEST' });
    expect(details.inactiveXml).toContain('<name>test</name>');
    expect(details.liveXml).toContain("<domain type='test' id='1'>");
  });

  it('applies an unchanged document as a no-op: reloading gives the same XML', async () => {
    const { before, outcome } = await edit(vm, () => undefined);
    expect(outcome.details.inactiveXml).toBe(before.inactiveXml);
    expect(outcome.appliedLive).toEqual([]);
  });

  it('changes current memory live and in the definition; reloading shows exactly that change', async () => {
    const { before, outcome } = await edit(vm, (config) => config.set('currentMemoryKiB', 1048576));
    expect(outcome.appliedLive.map((change) => change.subject)).toEqual(['currentMemoryKiB']);
    expect(lineDiff(before.inactiveXml, outcome.details.inactiveXml)).toEqual({
      removed: ["  <currentMemory unit='KiB'>2097152</currentMemory>"],
      added: ["  <currentMemory unit='KiB'>1048576</currentMemory>"],
    });
    expect(outcome.details.liveXml).toContain("<currentMemory unit='KiB'>1048576</currentMemory>");
    expect(outcome.details.pending).toEqual([]);
    await edit(vm, (config) => config.set('currentMemoryKiB', 2097152));
  });

  it('lists what only takes effect at the next boot: a second vCPU max, a new disk the test driver cannot hot-plug', async () => {
    const image = join(dir, 'extra.img');
    await writeFile(image, '');
    const { before, outcome } = await edit(vm, (config) => {
      config.setVcpus(3);
      config.addDisk({ type: 'file', device: 'disk', driverName: 'qemu', driverType: 'raw', sourceFile: image, targetDev: 'vdb', targetBus: 'virtio' });
    });
    // More vCPUs than the running maximum is not even tried live.
    expect(outcome.liveFailures.map((failure) => [failure.change.subject, failure.message])).toEqual([['disk[vdb]', expect.stringMatching(/not supported/)]]);
    expect(outcome.details.pending.map((change) => [change.subject, change.kind, change.before, change.after])).toEqual([
      ['vcpus.max', 'changed', '2', '3'],
      ['vcpus.current', 'changed', '2', '3'],
      ['disk[vdb]', 'added', undefined, undefined],
    ]);
    const diff = lineDiff(before.inactiveXml, outcome.details.inactiveXml);
    expect(diff.removed).toEqual(["  <vcpu placement='static'>2</vcpu>"]);
    expect(diff.added).toEqual(["  <vcpu placement='static'>3</vcpu>", "    <disk type='file' device='disk'>", "      <driver name='qemu' type='raw'/>", `      <source file='${image}'/>`, "      <target dev='vdb' bus='virtio'/>", '    </disk>']);
    // Back as it was: the removal is persistent only too.
    const back = await edit(vm, (config) => {
      config.setVcpus(2);
      config.removeDevice(config.device('disk[vdb]')!);
    });
    expect(back.outcome.details.inactiveXml).toBe(before.inactiveXml);
    expect(back.outcome.details.pending).toEqual([]);
  });

  it('refuses bad input with a specific issue and changes nothing', async () => {
    const cases: Array<[string, (config: DomainConfig) => void, RegExp]> = [
      ['memoryKiB', (config) => config.set('memoryKiB', 4194304 * 2 + 1024), /more than the host's 3072 MiB/],
      ['currentMemoryKiB', (config) => config.set('currentMemoryKiB', 9437184), /more than the maximum memory/],
      ['disk[vdb]', (config) => config.addDisk({ type: 'file', device: 'disk', sourceFile: join(dir, 'missing.qcow2'), targetDev: 'vdb', targetBus: 'virtio' }), /missing\.qcow2 does not exist/],
      ['interface#1', (config) => config.addInterface({ type: 'network', sourceNetwork: 'default', mac: 'aa:bb:cc:dd:ee:ff' }), /MAC address aa:bb:cc:dd:ee:ff is used by 2 interfaces/],
      ['vcpus', (config) => config.setVcpus(2, 3), /3 current vCPUs/],
      ['uuid', (config) => config.element.child('uuid')!.setText('11111111-2222-3333-4444-555555555555'), /UUID cannot change/],
      ['name', (config) => config.set('name', 'renamed-while-running'), /running VM cannot be renamed/],
    ];
    for (const [subject, change, message] of cases) {
      const { error, unchanged } = await refusedEdit(vm, change);
      expect({ subject, code: error.code, unchanged }).toEqual({ subject, code: 'invalid-input', unchanged: true });
      expect(error.issues).toEqual(expect.arrayContaining([{ path: [subject], message: expect.stringMatching(message) }]));
    }
  });

  it('refuses a MAC address another VM uses', async () => {
    const handle = backend.connections.requireHandle('demo');
    const lv = (await import('../../native/index.js')).loadBinding();
    await lv.domainDefine(handle, `<domain type='test'><name>details-other</name><memory>1024</memory><os><type>hvm</type></os><devices><interface type='network'><mac address='52:54:00:aa:bb:01'/><source network='default'/></interface></devices></domain>`);
    const { error, unchanged } = await refusedEdit(vm, (config) => config.addInterface({ type: 'network', sourceNetwork: 'default', mac: '52:54:00:AA:BB:01' }));
    expect(error.issues).toEqual([{ path: ['interface[52:54:00:AA:BB:01]'], message: "MAC address 52:54:00:AA:BB:01 is already used by the VM 'details-other'" }]);
    expect(unchanged).toBe(true);
    await lv.domainUndefine(handle, 'details-other');
  });

  it('reports malformed XML with its position, and libvirt schema errors, changing nothing', async () => {
    const details = await call<VmDetails>('details.get', vm);
    const malformed = await refusal('details.apply', { ...vm, base: details.inactiveXml, xml: details.inactiveXml.replace('</vcpu>', '</vcpux>') });
    expect(malformed).toMatchObject({ code: 'invalid-input', issues: [{ path: ['xml', 6, expect.any(Number)], message: expect.stringMatching(/mismatched closing tag <\/vcpux>/) }] });
    const invalid = await refusal('details.apply', { ...vm, base: details.inactiveXml, xml: details.inactiveXml.replace('<devices>', '<devices>\n    <bogus/>') });
    expect(invalid).toMatchObject({ code: 'VIR_ERR_XML_INVALID_SCHEMA', issues: [{ path: ['xml'], message: expect.any(String) }] });
    expect((await call<VmDetails>('details.get', vm)).inactiveXml).toBe(details.inactiveXml);
  });

  it('refuses to apply over a definition that changed since it was loaded', async () => {
    const details = await call<VmDetails>('details.get', vm);
    const stale = details.inactiveXml.replace('<name>test</name>', '<name>test</name>\n  <title>stale</title>');
    const error = await refusal('details.apply', { ...vm, base: stale, xml: details.inactiveXml });
    expect(error.issues).toEqual([{ path: ['base'], message: expect.stringMatching(/changed elsewhere/) }]);
  });

  it('renames a shut-off VM (keeping its UUID), sets autostart, and refuses a taken name', async () => {
    const handle = backend.connections.requireHandle('demo');
    const lv = (await import('../../native/index.js')).loadBinding();
    const ref = await lv.domainDefine(handle, `<domain type='test'><name>details-rename</name><memory>1024</memory><os><type>hvm</type></os></domain>`);
    const other = { connectionId: 'demo', uuid: ref.uuid };
    const taken = await refusedEdit(other, (config) => config.set('name', 'test'));
    expect(taken.error.issues).toEqual([{ path: ['name'], message: "Another VM is already named 'test'" }]);
    const { outcome } = await edit(other, (config) => config.set('name', 'details-renamed'), { autostart: true });
    expect(outcome.details).toMatchObject({ name: 'details-renamed', uuid: ref.uuid, autostart: true });
    expect(outcome.details.inactiveXml).toContain('<name>details-renamed</name>');
    await lv.domainUndefine(handle, ref.uuid);
  });

  it('puts the definition and name back when autostart is refused after them (the refusal is injected)', async () => {
    // libvirt's test driver never refuses autostart: a stand-in rejects that one call; all else is real.
    const real = loadBinding();
    const refusing: NativeBinding = new Proxy(real, {
      get: (target, key, receiver) =>
        key === 'domainSetAutostart' ? () => Promise.reject(Object.assign(new Error('cannot create autostart symlink'), { code: 'VIR_ERR_INTERNAL_ERROR' })) : Reflect.get(target, key, receiver),
    });
    const faulty = createBackend({ binding: refusing, detected: [], configDir: join(dir, 'faulty') });
    const faultySession = new ApiSession(faulty, () => undefined);
    await faulty.start();
    try {
      const handle = faulty.connections.requireHandle('demo');
      const ref = await real.domainDefine(handle, `<domain type='test'><name>details-autostart</name><memory>1024</memory><os><type>hvm</type></os></domain>`);
      const target = { connectionId: 'demo', uuid: ref.uuid };
      const before = await call<VmDetails>('details.get', target);
      const config = DomainConfig.parse(before.inactiveXml);
      config.set('name', 'details-autostart-renamed');
      config.set('memoryKiB', 2048);
      const outcome = await faultySession.call('details.apply', { ...target, base: before.inactiveXml, xml: config.toXml(), autostart: true });
      expect(outcome).toMatchObject({ ok: false, error: { issues: [{ path: ['autostart'], message: 'libvirt refused to turn autostart on: cannot create autostart symlink' }] } });
      const after = await call<VmDetails>('details.get', target);
      expect(after).toMatchObject({ name: 'details-autostart', autostart: false, inactiveXml: before.inactiveXml });
      await real.domainUndefine(handle, ref.uuid);
    } finally {
      faultySession.dispose();
      await faulty.dispose();
    }
  });

  it('warns about a disk another VM writes too, unless it is read-only or shareable', async () => {
    const handle = backend.connections.requireHandle('demo');
    const lv = loadBinding();
    const sharer = await lv.domainDefine(handle, `<domain type='test'><name>details-sharer</name><memory>1024</memory><os><type>hvm</type></os>
      <devices><disk type='file' device='disk'><source file='/guest/diskimage1'/><target dev='vda' bus='virtio'/></disk></devices></domain>`);
    try {
      const details = await call<VmDetails>('details.get', vm);
      expect(await call('details.warnings', { ...vm, xml: details.inactiveXml })).toEqual([
        { subject: 'disk[vda]', message: '/guest/diskimage1 is also a disk of "details-sharer": two VMs running on one disk corrupt it (mark it shareable if the guests are made for that)' },
      ]);
      const shareable = DomainConfig.parse(details.inactiveXml);
      shareable.device('disk[vda]')!.element.append(createElement('shareable'));
      expect(await call('details.warnings', { ...vm, xml: shareable.toXml() })).toEqual([]);
      const readonly = DomainConfig.parse(details.inactiveXml);
      readonly.device('disk[vda]', 'disk')!.set('readonly', true);
      expect(await call('details.warnings', { ...vm, xml: readonly.toXml() })).toEqual([]);
    } finally {
      await lv.domainUndefine(handle, sharer.uuid);
    }
  });

  it('creates a disk image in a storage pool for Add Hardware, and refuses a taken name', async () => {
    const created = await call<{ path: string }>('details.createVolume', { connectionId: 'demo', pool: 'default-pool', name: 'details-new.qcow2', capacityMiB: 2048 });
    expect(created).toEqual({ path: '/default-pool/details-new.qcow2' });
    const resources = await call<HostResources>('details.hostResources', { connectionId: 'demo' });
    expect(resources.pools[0]!.volumes).toEqual([{ name: 'details-new.qcow2', path: '/default-pool/details-new.qcow2', capacity: 2048 * 1024 * 1024, type: 0 }]);
    expect((await refusal('details.createVolume', { connectionId: 'demo', pool: 'default-pool', name: 'details-new.qcow2', capacityMiB: 1 })).code).toBe('VIR_ERR_OPERATION_FAILED');
    expect((await refusal('details.createVolume', { connectionId: 'demo', pool: 'default-pool', name: 'a/b', capacityMiB: 1 })).issues).toEqual([{ path: ['name'], message: 'the volume name cannot contain "/"' }]);
    // A disk on it passes the missing-path check (the volume is known to libvirt, not on this file system).
    const { outcome } = await edit(vm, (config) => config.addDisk({ type: 'file', device: 'disk', driverName: 'qemu', driverType: 'qcow2', sourceFile: created.path, targetDev: 'vdb', targetBus: 'virtio' }));
    expect(outcome.details.inactiveXml).toContain("<source file='/default-pool/details-new.qcow2'/>");
    await edit(vm, (config) => config.removeDevice(config.device('disk[vdb]')!));
  });

  it.skipIf(!existsSync('/usr/share/osinfo/os/debian.org/debian-11.xml'))('names the OS of the libosinfo metadata from osinfo-db', async () => {
    const { before, outcome } = await edit(vm, (config) => setOsInfoId(config, 'http://debian.org/debian/11'));
    expect(outcome.details.os).toEqual({ id: 'http://debian.org/debian/11', name: 'Debian 11' });
    // The running VM takes it too: nothing is left for the next boot.
    expect(outcome.liveFailures).toEqual([]);
    expect(outcome.appliedLive.map((change) => change.subject)).toEqual(['os']);
    expect(outcome.details.liveXml).toContain('<libosinfo:os id="http://debian.org/debian/11"/>');
    expect(outcome.details.pending).toEqual([]);
    expect(lineDiff(before.inactiveXml, outcome.details.inactiveXml).added.map((line) => line.trim())).toEqual([
      '<metadata>',
      '<libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">',
      '<libosinfo:os id="http://debian.org/debian/11"/>',
      '</libosinfo:libosinfo>',
      '</metadata>',
    ]);
    const back = await edit(vm, (config) => setOsInfoId(config, undefined));
    expect(back.outcome.details).toMatchObject({ os: null, inactiveXml: before.inactiveXml, pending: [] });
    expect(back.outcome.details.liveXml).not.toContain('libosinfo');
  });

  it("gives the running VM's NIC the address libvirt knows it by", async () => {
    expect(await call('details.addresses', vm)).toEqual([{ mac: 'aa:bb:cc:dd:ee:ff', addresses: [{ address: '192.168.122.3', prefix: 24, source: 'lease' }] }]);
  });

  it('lists host resources for Add Hardware', async () => {
    const resources = await call<HostResources>('details.hostResources', { connectionId: 'demo' });
    expect(resources.networks).toEqual([{ name: 'default', active: true, bridge: 'virbr0' }]);
    expect(resources.pools.map((pool) => pool.name)).toEqual(['default-pool']);
    expect(resources.pools[0]!.active).toBe(true);
    expect(resources).toMatchObject({ pci: [], usb: [] });
  });
});

describe('details parsers', () => {
  it('reads domain capabilities', () => {
    const caps = parseDomainCapabilities(`<domainCapabilities><arch>x86_64</arch><vcpu max='255'/><os supported='yes'><enum name='firmware'><value>efi</value></enum></os>
      <cpu><mode name='host-passthrough' supported='yes'/><mode name='host-model' supported='no'/><mode name='custom' supported='yes'>
      <model usable='no'>EPYC</model><model usable='yes'>qemu64</model></mode></cpu>
      <devices><disk supported='yes'><enum name='bus'><value>virtio</value><value>sata</value></enum></disk></devices></domainCapabilities>`);
    expect(caps).toMatchObject({ maxVcpus: 255, firmwares: ['bios', 'efi'], cpuModels: ['qemu64', 'EPYC'], diskBuses: ['virtio', 'sata'], cpuModes: { hostPassthrough: true, hostModel: false, custom: true } });
  });

  it('reads PCI and USB node devices', () => {
    expect(
      parseHostDevice(`<device><name>pci_0000_00_1f_2</name><capability type='pci'><domain>0</domain><bus>0</bus><slot>31</slot><function>2</function>
        <product id='0x2922'>82801IR SATA</product><vendor id='0x8086'>Intel Corporation</vendor></capability></device>`),
    ).toEqual({
      name: 'pci_0000_00_1f_2',
      address: '0000:00:1f.2',
      vendor: 'Intel Corporation',
      product: '82801IR SATA',
      vendorId: '0x8086',
      productId: '0x2922',
      pci: { domain: '0x0000', bus: '0x00', slot: '0x1f', function: '0x2' },
    });
    expect(parseHostDevice(`<device><name>usb_1_2</name><capability type='usb_device'><bus>1</bus><device>2</device><product id='0x0001'/><vendor id='0x1d6b'>Linux</vendor></capability></device>`)).toMatchObject({
      address: 'Bus 001 Device 002',
      usb: { bus: '1', device: '2' },
    });
    expect(parseHostDevice(`<device><name>net_lo</name><capability type='net'/></device>`)).toBeNull();
  });
});

describe.skipIf(!lab)('details on the lab libvirtd (qemu:///system, tiny guest)', () => {
  let guest: LoggedGuest;
  const vm = () => ({ connectionId: 'launch', uuid: guest.uuid });

  /** Polls details.get until `check` holds (device removal completes when the guest lets go). */
  async function until(check: (details: VmDetails) => boolean, what: string, ms = 30_000): Promise<VmDetails> {
    const deadline = Date.now() + ms;
    for (;;) {
      const details = await call<VmDetails>('details.get', vm());
      if (check(details)) return details;
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms; pending: ${JSON.stringify(details.pending)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  beforeAll(() => {
    guest = defineLoggedGuest(dir, { prefix: 'vireo-e2e-details' });
  });
  afterAll(() => {
    if (guest) removeGuest(guest.name);
  });

  it('on a shut-off guest, changes memory and vCPUs in the definition only', async () => {
    const { before, outcome } = await edit(vm(), (config) => {
      config.set('memoryKiB', 393216);
      config.set('currentMemoryKiB', 393216);
      config.setVcpus(2);
    });
    expect(outcome.details.state).toBe('shutoff');
    expect(lineDiff(before.inactiveXml, outcome.details.inactiveXml)).toEqual({
      removed: ["  <memory unit='KiB'>262144</memory>", "  <currentMemory unit='KiB'>262144</currentMemory>", "  <vcpu placement='static'>1</vcpu>"],
      added: ["  <memory unit='KiB'>393216</memory>", "  <currentMemory unit='KiB'>393216</currentMemory>", "  <vcpu placement='static'>2</vcpu>"],
    });
  });

  it('adds a CD-ROM drive while shut off, starts, then changes and ejects its media live', async () => {
    const iso = join(dir, 'media.iso');
    await writeFile(iso, Buffer.alloc(64 * 1024));
    await edit(vm(), (config) => config.addDisk({ type: 'file', device: 'cdrom', driverName: 'qemu', driverType: 'raw', targetDev: 'hdc', targetBus: 'ide', readonly: true }));
    virsh('start', guest.name);
    // While the guest's kernel probes the drive, QEMU may refuse to open the tray: let it boot first.
    await waitForBoot(guest);
    const inserted = await edit(vm(), (config) => config.device('disk[hdc]', 'disk')!.set('sourceFile', iso));
    expect(inserted.outcome.liveFailures).toEqual([]);
    expect(inserted.outcome.appliedLive.map((change) => change.subject)).toEqual(['disk[hdc]']);
    expect(DomainConfig.parse(inserted.outcome.details.liveXml!).device('disk[hdc]', 'disk')!.get('sourceFile')).toBe(iso);
    expect(inserted.outcome.details.pending).toEqual([]);
    const ejected = await edit(vm(), (config) => config.device('disk[hdc]', 'disk')!.set('sourceFile', undefined));
    expect(ejected.outcome.liveFailures).toEqual([]);
    expect(ejected.outcome.appliedLive.map((change) => change.subject)).toEqual(['disk[hdc]']);
    expect(DomainConfig.parse(ejected.outcome.details.liveXml!).device('disk[hdc]', 'disk')!.get('sourceFile')).toBeUndefined();
  });

  it('hot-plugs a disk and a NIC, changes the link state live, then unplugs both', async () => {
    // Unplugging needs the guest's cooperation: it must have booted.
    await waitForBoot(guest);
    const image = join(dir, 'hotplug.img');
    execFileSync('truncate', ['-s', '16M', image]);
    const mac = '52:54:00:de:7a:11';
    const added = await edit(vm(), (config) => {
      config.addDisk({ type: 'file', device: 'disk', driverName: 'qemu', driverType: 'raw', sourceFile: image, targetDev: 'vdb', targetBus: 'virtio' });
      config.addInterface({ type: 'user', mac, model: 'virtio' });
    });
    expect(added.outcome.liveFailures).toEqual([]);
    expect(added.outcome.appliedLive.map((change) => change.subject).toSorted()).toEqual(['disk[vdb]', `interface[${mac}]`]);
    const live = DomainConfig.parse(added.outcome.details.liveXml!);
    expect(live.device('disk[vdb]', 'disk')?.get('sourceFile')).toBe(image);
    expect(live.device(`interface[${mac}]`)).toBeDefined();
    expect(added.outcome.details.pending).toEqual([]);

    const down = await edit(vm(), (config) => config.device(`interface[${mac}]`, 'interface')!.set('linkState', 'down'));
    expect(down.outcome.appliedLive.map((change) => change.subject)).toEqual([`interface[${mac}]`]);
    expect(DomainConfig.parse(down.outcome.details.liveXml!).device(`interface[${mac}]`, 'interface')!.get('linkState')).toBe('down');

    const removed = await edit(vm(), (config) => {
      config.removeDevice(config.device('disk[vdb]')!);
      config.removeDevice(config.device(`interface[${mac}]`)!);
    });
    expect(removed.outcome.liveFailures).toEqual([]);
    expect(lineDiff(added.before.inactiveXml, removed.outcome.details.inactiveXml).removed).toEqual([]);
    // Unplugging finishes when the guest has let go of the devices.
    const settled = await until((details) => details.pending.length === 0, 'unplugging the disk and NIC');
    const after = DomainConfig.parse(settled.liveXml!);
    expect([after.device('disk[vdb]'), after.device(`interface[${mac}]`)]).toEqual([undefined, undefined]);
  });

  it('passes a host PCI device through (definition only: the guest stays shut off), and lists host resources', async () => {
    const resources = await call<HostResources>('details.hostResources', { connectionId: 'launch' });
    expect(resources.networks.map((network) => network.name)).toContain('default');
    expect(resources.interfaces.length).toBeGreaterThan(0);
    expect(resources.pci.length).toBeGreaterThan(0);
    const pci = resources.pci[0]!.pci!;
    const idle = defineGuest({ prefix: 'vireo-e2e-details-pci' });
    try {
      const target = { connectionId: 'launch', uuid: idle.uuid };
      const { before, outcome } = await edit(target, (config) => {
        config.addDevice('hostdev', { mode: 'subsystem', type: 'pci', managed: true, sourceDomain: pci.domain, sourceBus: pci.bus, sourceSlot: pci.slot, sourceFunction: pci.function });
      });
      expect(outcome.details.state).toBe('shutoff');
      const added = lineDiff(before.inactiveXml, outcome.details.inactiveXml);
      expect(added.removed).toEqual([]);
      expect(added.added.map((line) => line.trim())).toEqual(
        expect.arrayContaining(["<hostdev mode='subsystem' type='pci' managed='yes'>", `<address domain='${pci.domain}' bus='${pci.bus}' slot='${pci.slot}' function='${pci.function}'/>`]),
      );
      const removed = await edit(target, (config) => config.removeDevice(config.devices('hostdev')[0]!));
      expect(removed.outcome.details.inactiveXml).toBe(before.inactiveXml);
    } finally {
      removeGuest(idle.name);
    }
  });

  it('tries a display password live; QEMU cannot add one to a VNC server started without: next boot. Clients hear of the change', async () => {
    const seen = events.length;
    const { outcome } = await edit(vm(), (config) => config.device('graphics[vnc]', 'graphics')!.set('passwd', 'n3wpass'));
    expect(outcome.liveFailures.map((failure) => failure.change.subject)).toEqual(['graphics[vnc]']);
    expect(outcome.details.pending.map((change) => [change.subject, change.before, change.after])).toEqual([['graphics[vnc]', 'passwd=(none)', 'passwd=n3wpass']]);
    await expect.poll(() => events.slice(seen).some((e) => e.event === 'details.changed' && e.payload.uuid === guest.uuid)).toBe(true);
    const back = await edit(vm(), (config) => config.device('graphics[vnc]', 'graphics')!.set('passwd', undefined));
    expect(back.outcome.details.pending).toEqual([]);
  });

  it('renames a shut-off guest and back (QEMU refuses it while running)', async () => {
    const idle = defineGuest({ prefix: 'vireo-e2e-details-rename' });
    const renamed = `${idle.name}-renamed`;
    try {
      const target = { connectionId: 'launch', uuid: idle.uuid };
      const { outcome } = await edit(target, (config) => config.set('name', renamed));
      expect(outcome.details).toMatchObject({ name: renamed, uuid: idle.uuid });
      expect(virsh('domname', idle.uuid).trim()).toBe(renamed);
      const back = await edit(target, (config) => config.set('name', idle.name));
      expect(back.outcome.details.name).toBe(idle.name);
    } finally {
      removeGuest(renamed);
      removeGuest(idle.name);
    }
  });

  it('lists memory and vCPU changes a guest without balloon or spare vCPUs can only take at the next boot', async () => {
    const { outcome } = await edit(vm(), (config) => {
      config.set('currentMemoryKiB', 262144);
      config.setVcpus(3);
    });
    // No balloon: QEMU refuses the memory change; 3 vCPUs is over the running maximum of 2, not tried.
    expect(outcome.liveFailures.map((failure) => failure.change.subject)).toEqual(['currentMemoryKiB']);
    expect(outcome.details.pending.map((change) => [change.subject, change.before, change.after])).toEqual([
      ['currentMemoryKiB', '384 MiB', '256 MiB'],
      ['vcpus.max', '2', '3'],
      ['vcpus.current', '2', '3'],
    ]);
  });
});
