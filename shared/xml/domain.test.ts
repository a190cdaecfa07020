import { describe, expect, it } from 'vitest';
import { parse, XmlSyntaxError } from './document.js';
import { DomainConfig, DomainConfigError, type ValidationIssue } from './domain.js';
import { corpus, corpusFile, lineDiff } from './test-support.js';

const load = (name: string): DomainConfig => DomainConfig.parse(corpusFile(name));

function issues(name: string, change: (config: DomainConfig) => unknown): ValidationIssue[] {
  const config = load(name);
  change(config);
  return config.validate();
}

/** Applies an edit to a corpus file and returns the changed lines. */
function edit(name: string, change: (config: DomainConfig) => unknown): { removed: string[]; added: string[] } {
  const config = load(name);
  change(config);
  const xml = config.toXml();
  expect(parse(xml).root.name).toBe('domain');
  return lineDiff(corpusFile(name), xml);
}

describe('reading', () => {
  it.each([
    ['tab-indented.xml', 2097152, 1572864],
    ['four-space-multiline-attributes.xml', 4194304, 4194304],
    ['hand-edited-comments-cdata.xml', 6291456, 4194304],
    ['uefi-secure-boot-manual-loader.xml', 8388608, 8388608],
    ['xen-pv-bootloader.xml', 592896, 403456],
  ])('%s: memory in KiB whatever the unit', (name, memory, current) => {
    const config = load(name);
    expect([config.get('memoryKiB'), config.get('currentMemoryKiB')]).toEqual([memory, current]);
  });

  it('reads the maximum memory of memory hotplug', () => {
    expect(load('memory-hotplug-nvdimm.xml').get('maxMemoryKiB')).toBe(67108864);
  });

  it.each([
    ['live-running-vnc.xml', { max: 4, current: 2 }],
    ['four-space-multiline-attributes.xml', { max: 8, current: 2 }],
    ['tab-indented.xml', { max: 2, current: 2 }],
  ])('%s: vCPUs', (name, vcpus) => {
    expect(load(name).vcpus()).toEqual(vcpus);
  });

  it.each([
    ['live-running-vnc.xml', { mode: 'custom', model: 'EPYC-Rome', topology: { sockets: 1, dies: 1, cores: 2, threads: 2 } }],
    ['virt-manager-fedora-q35.xml', { mode: 'host-passthrough', model: undefined, topology: undefined }],
    ['ppc64-pseries.xml', { mode: 'host-model', model: 'POWER9', topology: { sockets: 1, cores: 4, threads: 2 } }],
    ['metadata-foreign-namespaces.xml', { mode: undefined, model: undefined, topology: undefined }],
  ])('%s: CPU', (name, cpu) => {
    expect(load(name).cpu()).toEqual(cpu);
  });

  it.each([
    ['virt-manager-fedora-q35.xml', 'efi'],
    ['uefi-secure-boot-manual-loader.xml', 'efi'],
    ['launch-security-sev.xml', 'efi'],
    ['disk-nvme.xml', 'bios'],
    ['xen-pv-bootloader.xml', 'bios'],
  ])('%s: firmware %s', (name, firmware) => {
    expect(load(name).firmware()).toBe(firmware);
  });

  it('reads the OS, boot settings, direct kernel boot, features and lifecycle', () => {
    const arm = load('direct-kernel-aarch64.xml');
    expect(arm.values()).toMatchObject({
      osType: 'hvm',
      arch: 'aarch64',
      machine: 'virt',
      kernel: '/aarch64.kernel',
      initrd: '/aarch64.initrd',
      cmdline: 'earlyprintk console=ttyAMA0,115200n8 rw root=/dev/vda rootwait',
      dtb: '/aarch64.dtb',
      onCrash: 'restart',
      emulator: '/usr/bin/qemu-system-aarch64',
    });
    expect(arm.features()).toEqual(['acpi', 'gic']);
    expect(load('interfaces-all-types.xml').bootDevices()).toEqual(['network', 'hd']);
    expect(load('disks-all-kinds.xml').bootDevices()).toEqual(['hd', 'cdrom', 'fd']);
    const uefi = load('uefi-secure-boot-manual-loader.xml');
    expect([uefi.get('bootMenu'), uefi.get('bootMenuTimeout')]).toEqual([true, 3000]);
    const perDevice = load('four-space-multiline-attributes.xml');
    expect(perDevice.bootDevices()).toEqual([]);
    expect(perDevice.bootOrder().map((device) => device.id)).toEqual(['disk[sdb]', 'disk[vda]', 'interface[52:54:00:33:44:55]']);
    expect(load('windows-hyperv-enlightenments.xml').features()).toEqual(['acpi', 'apic', 'hyperv', 'kvm', 'smm']);
    expect([load('lxc-container.xml').get('hypervisor'), load('lxc-container.xml').get('osType'), load('xen-pv-bootloader.xml').get('machine')]).toEqual(['lxc', 'exe', 'xenpv']);
  });

  it('reads names, uuid, title and description through entities and CDATA', () => {
    const config = load('hand-edited-comments-cdata.xml');
    expect(config.values()).toMatchObject({
      name: 'build-runner',
      title: 'CI runner \u2014 x86_64 <main>',
      description: 'Runs <jobs> for the "main" & release branches.\nOwner: ops@example.com',
      cmdline: 'console=ttyS0 root=/dev/vda1 rw quiet systemd.unit=multi-user.target && loglevel=3',
      onCrash: 'coredump-restart',
    });
    expect(config.uuid).toBe('6a1b7c3e-5d2f-4e8a-9b0c-1d2e3f4a5b6c');
  });

  it('finds application metadata by namespace', () => {
    const config = load('metadata-foreign-namespaces.xml');
    expect(config.metadata('https://vireo.example/xmlns/domain/1')?.child('vireo:group')?.attr('name')).toBe('lab');
    expect(config.metadata('http://bar.com/')?.text()).toBe('barish');
    expect(config.metadata('urn:absent')).toBeUndefined();
    expect(load('virt-manager-fedora-q35.xml').metadata('http://libosinfo.org/xmlns/libvirt/domain/1.0')?.name).toBe('libosinfo:libosinfo');
  });
});

describe('devices', () => {
  it('lists devices with ids from what libvirt matches them by', () => {
    expect(load('virt-manager-fedora-q35.xml').devices().map((device) => device.id)).toEqual([
      'disk[vda]',
      'disk[sda]',
      'controller[usb,0]',
      'controller[pci,0]',
      'controller[pci,1]',
      'controller[pci,2]',
      'controller[pci,3]',
      'controller[pci,4]',
      'controller[sata,0]',
      'controller[virtio-serial,0]',
      'interface[52:54:00:6c:3c:01]',
      'serial[0]',
      'console[0]',
      'channel[org.qemu.guest_agent.0]',
      'channel[com.redhat.spice.0]',
      'input[tablet,usb]',
      'input[mouse,ps2]',
      'input[keyboard,ps2]',
      'tpm#0',
      'graphics[spice]',
      'sound#0',
      'audio#0',
      'video#0',
      'redirdev#0',
      'redirdev#1',
      'memballoon#0',
      'rng#0',
    ]);
    expect(load('hostdev-usb-scsi-mdev.xml').devices('hostdev').map((device) => device.id)).toEqual([
      'hostdev[0x046d,0xc52b]',
      'hostdev[1,4]',
      'hostdev[scsi_host0,0]',
      'hostdev#3',
      'hostdev[c2177883-f1bb-47f0-914d-32a22e3a8804]',
      'hostdev[0x0000,0x65,0x00,0x0]',
    ]);
  });

  it('falls back to positions for devices sharing a key, and finds devices by id', () => {
    const config = load('tab-indented.xml');
    config.addDisk({ type: 'file', device: 'disk', sourceFile: '/srv/vm/other.qcow2', targetDev: 'vda', targetBus: 'virtio' });
    expect(config.devices('disk').map((disk) => disk.id)).toEqual(['disk#0', 'disk#1']);
    expect(config.device('disk#1', 'disk')?.get('sourceFile')).toBe('/srv/vm/other.qcow2');
    expect(config.device('graphics[vnc]', 'graphics')?.get('autoport')).toBe(true);
    expect(config.device('disk[vda]')).toBeUndefined();
  });

  it('reads typed device values', () => {
    const disks = load('disks-all-kinds.xml');
    expect(disks.device('disk[vdc]')?.values()).toEqual({
      type: 'volume',
      device: 'disk',
      driverName: 'qemu',
      driverType: 'raw',
      sourcePool: 'iscsi-pool',
      sourceVolume: 'unit:0:0:1',
      targetDev: 'vdc',
      targetBus: 'virtio',
      readonly: false,
      shareable: false,
    });
    expect(disks.device('disk[hdd]')?.values()).toEqual({ type: 'file', device: 'cdrom', targetDev: 'hdd', targetBus: 'ide', readonly: true, shareable: false });
    expect(disks.device('disk[vda]')?.values()).toMatchObject({ cache: 'none', discard: 'unmap', serial: 'WD-WMAP9A966149' });
    expect(load('disk-network-rbd.xml').device('disk[vde]')?.values()).toMatchObject({ type: 'network', sourceProtocol: 'rbd', sourceName: 'pool/namespace/image' });

    const nics = load('interfaces-all-types.xml').devices('interface');
    expect(nics.map((nic) => [nic.get('type'), nic.get('sourceNetwork') ?? nic.get('sourceBridge') ?? nic.get('sourceDev'), nic.get('model'), nic.get('linkState')])).toEqual([
      ['network', 'default', 'virtio', undefined],
      ['bridge', 'ovsbr0', 'virtio', 'down'],
      ['direct', 'eth0', 'e1000', undefined],
      ['user', undefined, 'rtl8139', undefined],
      ['ethernet', undefined, 'virtio', undefined],
      ['hostdev', undefined, undefined, undefined],
      ['mcast', undefined, undefined, undefined],
      ['udp', undefined, undefined, undefined],
      ['server', undefined, undefined, undefined],
      ['network', 'isolated', 'virtio', undefined],
    ]);

    expect(load('graphics-spice.xml').device('graphics[spice]')?.values()).toEqual({ type: 'spice', port: 5903, autoport: false, tlsPort: 5904, listen: '127.0.0.1' });
    expect(load('hand-edited-comments-cdata.xml').device('graphics[vnc]')?.values()).toEqual({ type: 'vnc', port: -1, autoport: true, passwd: `s3cr"t'x`, keymap: 'en-us' });
    expect(load('chardevs-console-channels.xml').device('serial[1]')?.values()).toEqual({ type: 'tcp', sourceMode: 'bind', sourceHost: '127.0.0.1', sourceService: '4555', targetPort: 1 });
    expect(load('virt-manager-fedora-q35.xml').device('tpm#0')?.values()).toEqual({ model: 'tpm-crb', backendType: 'emulator', backendVersion: '2.0' });
    expect(load('virt-manager-fedora-q35.xml').device('rng#0')?.values()).toMatchObject({ model: 'virtio', backendModel: 'random', backendSource: '/dev/urandom' });
    expect(load('hostdev-pci-address.xml').devices('hostdev')[0]?.values()).toEqual({ mode: 'subsystem', type: 'pci', managed: true, sourceDomain: '0x0000', sourceBus: '0x06', sourceSlot: '0x12', sourceFunction: '0x5' });
    expect(load('virtiofs-shared-memory.xml').device('filesystem[mount_tag]')?.values()).toMatchObject({ type: 'mount', accessMode: 'passthrough', driverType: 'virtiofs', sourceDir: '/path', readonly: false });
    const gadgets = load('misc-devices.xml');
    expect(gadgets.devices('video')[0]?.values()).toMatchObject({ model: 'virtio', heads: 2, accel3d: true });
    expect(gadgets.devices('memballoon')[0]?.values()).toMatchObject({ model: 'virtio', autodeflate: true, statsPeriod: 10 });
    expect(gadgets.devices('watchdog')[0]?.values()).toMatchObject({ model: 'i6300esb', action: 'poweroff' });
    expect(gadgets.devices().filter((device) => device.is('other')).map((device) => device.tag)).toEqual(['smartcard', 'shmem', 'iommu', 'vsock']);
    expect(gadgets.device('watchdog#0', 'disk')).toBeUndefined();
  });

  it('writes a device as a standalone snippet for attach, detach and update', () => {
    expect(load('live-running-vnc.xml').device('interface[52:54:00:a1:b2:c3]')?.toXml()).toBe(
      [
        "<interface type='bridge'>",
        "  <mac address='52:54:00:a1:b2:c3'/>",
        "  <source bridge='br0'/>",
        "  <target dev='vnet6'/>",
        "  <model type='virtio'/>",
        "  <alias name='net0'/>",
        "  <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>",
        '</interface>',
      ].join('\n'),
    );
    expect(load('tab-indented.xml').device('disk[vda]')?.toXml()).toBe(
      "<disk type='file' device='disk'>\n\t<driver name='qemu' type='qcow2'/>\n\t<source file='/srv/vm/tabbed.qcow2'/>\n\t<target dev='vda' bus='virtio'/>\n</disk>",
    );
  });
});

describe('setters change only their lines', () => {
  it.each<[string, string, (config: DomainConfig) => unknown, string[], string[]]>([
    ['rename', 'live-running-vnc.xml', (c) => c.set('name', 'debian13'), ['  <name>debian12</name>'], ['  <name>debian13</name>']],
    ['add a title after the uuid', 'tab-indented.xml', (c) => c.set('title', 'Tabs & <spaces>'), [], ['\t<title>Tabs &amp; &lt;spaces&gt;</title>']],
    ['remove a CDATA description', 'hand-edited-comments-cdata.xml', (c) => c.set('description', null), ['  <description><![CDATA[Runs <jobs> for the "main" & release branches.', 'Owner: ops@example.com]]></description>'], []],
    ['memory in its own unit', 'tab-indented.xml', (c) => c.set('memoryKiB', 3 * 1024 * 1024), ["\t<memory unit='G'>2</memory>"], ["\t<memory unit='G'>3</memory>"]],
    ['memory not a whole number of its unit', 'tab-indented.xml', (c) => c.set('memoryKiB', 1572864), ["\t<memory unit='G'>2</memory>"], ["\t<memory unit='KiB'>1572864</memory>"]],
    ['memory in bytes', 'four-space-multiline-attributes.xml', (c) => c.set('memoryKiB', 8 * 1024 * 1024), ['    <memory unit="b">4294967296</memory>'], ['    <memory unit="b">8589934592</memory>']],
    ['current memory, decimal unit', 'four-space-multiline-attributes.xml', (c) => c.set('currentMemoryKiB', 1_000_000), ['    <currentMemory unit="KB">4294967</currentMemory>'], ['    <currentMemory unit="KB">1024000</currentMemory>']],
    ['vCPUs with a current count', 'graphics-spice.xml', (c) => c.setVcpus(8, 4), ["  <vcpu placement='static'>1</vcpu>"], ["  <vcpu placement='static' current='4'>8</vcpu>"]],
    ['all vCPUs online', 'live-running-vnc.xml', (c) => c.setVcpus(4), ["  <vcpu placement='static' current='2'>4</vcpu>"], ["  <vcpu placement='static'>4</vcpu>"]],
    ['host-passthrough drops the model', 'disk-nvme.xml', (c) => c.setCpuMode('host-passthrough'), ["  <cpu mode='custom' match='exact' check='none'>", "    <model fallback='forbid'>qemu64</model>", '  </cpu>'], ["  <cpu mode='host-passthrough' check='none'/>"]],
    ['custom CPU model', 'virt-manager-fedora-q35.xml', (c) => c.setCpuMode('custom', 'Skylake-Client'), ["  <cpu mode='host-passthrough' check='none' migratable='on'/>"], ["  <cpu mode='custom' check='none' migratable='on'>", '    <model>Skylake-Client</model>', '  </cpu>']],
    ['change a CPU model in place', 'live-running-vnc.xml', (c) => c.setCpuMode('custom', 'EPYC-Milan'), ["    <model fallback='forbid'>EPYC-Rome</model>"], ["    <model fallback='forbid'>EPYC-Milan</model>"]],
    ['CPU topology', 'live-running-vnc.xml', (c) => c.setCpuTopology({ sockets: 2, dies: 1, cores: 1, threads: 2 }), ["    <topology sockets='1' dies='1' cores='2' threads='2'/>"], ["    <topology sockets='2' dies='1' cores='1' threads='2'/>"]],
    ['drop the CPU topology and an emptied <cpu>', 'hand-edited-comments-cdata.xml', (c) => c.setCpuMode('host-passthrough').setCpuTopology(undefined), ['  <cpu mode="host-passthrough">', '    <topology sockets="1" cores="3" threads="2"/>', '  </cpu>'], ['  <cpu mode="host-passthrough"/>']],
    ['switch to UEFI', 'disk-nvme.xml', (c) => c.setFirmware('efi'), ['  <os>'], ["  <os firmware='efi'>"]],
    [
      'switch to BIOS',
      'virt-manager-fedora-q35.xml',
      (c) => c.setFirmware('bios'),
      [
        "  <os firmware='efi'>",
        '    <firmware>',
        "      <feature enabled='no' name='enrolled-keys'/>",
        "      <feature enabled='no' name='secure-boot'/>",
        '    </firmware>',
        "    <loader readonly='yes' type='pflash'>/usr/share/edk2/ovmf/OVMF_CODE.fd</loader>",
        "    <nvram template='/usr/share/edk2/ovmf/OVMF_VARS.fd'>/var/lib/libvirt/qemu/nvram/fedora39_VARS.fd</nvram>",
      ],
      ['  <os>'],
    ],
    ['boot devices, updated in place', 'interfaces-all-types.xml', (c) => c.setBootDevices(['cdrom']), ["    <boot dev='network'/>", "    <boot dev='hd'/>"], ["    <boot dev='cdrom'/>"]],
    ['boot devices replace per-device order', 'four-space-multiline-attributes.xml', (c) => c.setBootDevices(['cdrom', 'hd']), ['            <boot order="2" />', '            <boot order="1" />', '            <boot order="3" />'], ['        <boot dev="cdrom"/>', '        <boot dev="hd"/>']],
    ['per-device boot order replaces boot devices', 'tab-indented.xml', (c) => c.setBootOrder([c.device('disk[vda]')!]), ["\t\t<boot dev='network'/>", "\t\t<boot dev='hd'/>"], ["\t\t\t<boot order='1'/>"]],
    ['reorder per-device boot', 'four-space-multiline-attributes.xml', (c) => c.setBootOrder([c.device('interface[52:54:00:33:44:55]')!, c.device('disk[vda]')!]), ['            <boot order="1" />', '            <boot order="3" />'], ['            <boot order="1" />']],
    ['boot menu', 'tab-indented.xml', (c) => c.update({ bootMenu: true, bootMenuTimeout: 5000 }), [], ["\t\t<bootmenu enable='yes' timeout='5000'/>"]],
    ['direct kernel boot off, keeping the comment', 'hand-edited-comments-cdata.xml', (c) => c.update({ kernel: undefined, initrd: undefined, cmdline: undefined }), ['    <kernel>/srv/kernels/vmlinuz-6.6</kernel>', '    <initrd>/srv/kernels/initrd-6.6.img</initrd>', '    <cmdline>console=ttyS0 root=/dev/vda1 rw quiet systemd.unit=multi-user.target &amp;&amp; loglevel=3</cmdline>'], []],
    ['direct kernel boot on', 'disk-nvme.xml', (c) => c.update({ kernel: '/boot/vmlinuz', cmdline: 'console=ttyS0' }), [], ['    <kernel>/boot/vmlinuz</kernel>', '    <cmdline>console=ttyS0</cmdline>']],
    ['enable features', 'virt-manager-fedora-q35.xml', (c) => c.setFeature('vmport', true).setFeature('smm', true).setFeature('acpi', true), ["    <vmport state='off'/>"], ["    <vmport state='on'/>", '    <smm/>']],
    ['disable features', 'windows-hyperv-enlightenments.xml', (c) => c.setFeature('smm', false).setFeature('kvm', false), ['    <kvm>', "      <hidden state='on'/>", '    </kvm>', "    <smm state='on'/>"], ["    <smm state='off'/>"]],
    ['disabling the last feature drops <features>', 'tpm-emulator-tpm2.xml', (c) => c.setFeature('acpi', false), ['  <features>', '    <acpi/>', '  </features>'], []],
    ['lifecycle', 'tab-indented.xml', (c) => c.set('onCrash', 'coredump-destroy'), ['\t<on_crash>preserve</on_crash>'], ['\t<on_crash>coredump-destroy</on_crash>']],
    ['application metadata', 'metadata-foreign-namespaces.xml', (c) => c.ensureMetadata('urn:new', 'n:thing').setAttr('k', 'v'), [], ["    <n:thing xmlns:n='urn:new' k='v'/>"]],
    ['disk driver and flags', 'virt-manager-fedora-q35.xml', (c) => c.device('disk[vda]')!.update({ cache: 'none', io: 'native', readonly: true, serial: 'abc', bootOrder: 1 }), ["      <driver name='qemu' type='qcow2' discard='unmap'/>"], ["      <driver name='qemu' type='qcow2' discard='unmap' cache='none' io='native'/>", "      <boot order='1'/>", '      <readonly/>', '      <serial>abc</serial>']],
    ['eject a CD-ROM', 'virt-manager-fedora-q35.xml', (c) => c.device('disk[sda]', 'disk')!.set('sourceFile', undefined), ["      <source file='/var/lib/libvirt/images/Fedora-Workstation-Live-x86_64-39-1.5.iso'/>"], []],
    ['interface MAC and link state', 'virt-manager-fedora-q35.xml', (c) => c.devices('interface')[0]!.update({ linkState: 'down', mac: '52:54:00:00:00:01' }), ["      <mac address='52:54:00:6c:3c:01'/>"], ["      <mac address='52:54:00:00:00:01'/>", "      <link state='down'/>"]],
    ['graphics listen address, both spellings', 'live-running-vnc.xml', (c) => c.device('graphics[vnc]', 'graphics')!.set('listen', '0.0.0.0'), ["    <graphics type='vnc' port='5900' autoport='yes' listen='127.0.0.1'>", "      <listen type='address' address='127.0.0.1'/>"], ["    <graphics type='vnc' port='5900' autoport='yes' listen='0.0.0.0'>", "      <listen type='address' address='0.0.0.0'/>"]],
    ['graphics listen address added', 'tab-indented.xml', (c) => c.device('graphics[vnc]', 'graphics')!.update({ listen: '127.0.0.1', passwd: `p'w"d` }), ["\t\t<graphics type='vnc' autoport='yes'/>"], [`\t\t<graphics type='vnc' autoport='yes' passwd='p&apos;w"d'>`, "\t\t\t<listen type='address' address='127.0.0.1'/>", '\t\t</graphics>']],
    ['graphics password removed', 'hand-edited-comments-cdata.xml', (c) => c.device('graphics[vnc]', 'graphics')!.set('passwd', null), [`    <graphics type="vnc" port="-1" autoport="yes" passwd="s3cr&quot;t'x" keymap="en-us"/>`], ['    <graphics type="vnc" port="-1" autoport="yes" keymap="en-us"/>']],
    ['video model', 'graphics-spice.xml', (c) => c.devices('video')[1]!.update({ model: 'virtio', heads: 2 }), ["      <model type='qxl' ram='65536' vram='32768' vgamem='8192' heads='1'/>"], ["      <model type='virtio' ram='65536' vram='32768' vgamem='8192' heads='2'/>"]],
  ])('%s', (_what, name, change, removed, added) => {
    expect(edit(name, change)).toEqual({ removed, added });
  });

  it('places new top-level elements where libvirt writes them', () => {
    const config = load('tab-indented.xml').set('title', 'T').set('description', 'D');
    const lines = config.toXml().split('\n');
    expect(lines.slice(1, 5)).toEqual(['\t<name>tabbed</name>', '\t<uuid>9d0c3a6e-1f2b-4c5d-8e9f-0a1b2c3d4e5f</uuid>', '\t<title>T</title>', '\t<description>D</description>']);
  });

  it.each(corpus)('%s: writing back the values read changes nothing', (_name, xml) => {
    const config = DomainConfig.parse(xml);
    config.update(config.values());
    for (const device of config.devices()) device.update(device.values());
    config.setVcpus(config.vcpus().max ?? 1, config.vcpus().current);
    config.setFirmware(config.firmware());
    for (const feature of config.features()) config.setFeature(feature, true);
    if (config.bootDevices().length > 0) config.setBootDevices(config.bootDevices());
    else if (config.bootOrder().length > 0) config.setBootOrder(config.bootOrder());
    expect(config.toXml()).toBe(xml);
  });

  it('keeps comments, CDATA, processing instructions and foreign namespaces through edits', () => {
    const changed = edit('hand-edited-comments-cdata.xml', (c) => {
      c.set('name', 'runner-2').set('memoryKiB', 8 * 1024 * 1024).setVcpus(8, 6).setFeature('pae', false);
      c.addDisk({ type: 'file', device: 'cdrom', targetDev: 'sda', targetBus: 'sata', readonly: true });
      c.removeDevice(c.device('interface[52:54:00:0a:0b:0d]')!);
    });
    expect(changed).toEqual({
      removed: [
        '  <name>build&#45;runner</name>',
        '  <memory unit="MiB">6144</memory>',
        '  <vcpu placement="static">6</vcpu>',
        '    <pae/>',
        '    <interface type="direct">',
        '      <mac address="52:54:00:0a:0b:0d"/>',
        '      <source dev="enp3s0" mode="bridge"/>',
        '      <model type="virtio"/>',
        '    </interface>',
      ],
      added: [
        '  <name>runner-2</name>',
        '  <memory unit="MiB">8192</memory>',
        '  <vcpu placement="static" current="6">8</vcpu>',
        '    <disk type="file" device="cdrom">',
        '      <target dev="sda" bus="sata"/>',
        '      <readonly/>',
        '    </disk>',
      ],
    });
    const qemu = edit('qemu-commandline-namespace.xml', (c) => c.set('name', 'renamed').removeDevice(c.device('memballoon#0')!));
    expect(qemu).toEqual({ removed: ['  <name>QEMUGuest1</name>', "    <memballoon model='virtio'/>"], added: ['  <name>renamed</name>'] });
  });
});

describe('adding devices', () => {
  const cdrom = { type: 'file', device: 'cdrom', driverName: 'qemu', driverType: 'raw', targetDev: 'sdz', targetBus: 'sata', readonly: true } as const;

  it.each([
    ['virt-manager-fedora-q35.xml', '    ', '  ', '\n', "'"],
    ['four-space-multiline-attributes.xml', '        ', '    ', '\n', '"'],
    ['tab-indented.xml', '\t\t', '\t', '\n', "'"],
    ['crlf-line-endings.xml', '    ', '  ', '\r\n', "'"],
  ])('%s: indents a new disk like the others and puts it after them', (name, indent, unit, newline, quote) => {
    const config = load(name);
    const disk = config.addDisk(cdrom);
    const xml = config.toXml();
    const q = (text: string): string => text.replaceAll("'", quote);
    const expected = [
      q(`${indent}<disk type='file' device='cdrom'>`),
      q(`${indent}${unit}<driver name='qemu' type='raw'/>`),
      q(`${indent}${unit}<target dev='sdz' bus='sata'/>`),
      `${indent}${unit}<readonly/>`,
      `${indent}</disk>`,
    ].join(newline);
    const lastDisk = config.devices('disk').at(-2)!.element;
    expect(xml).toContain(`${lastDisk.toString()}${newline}${expected}${newline}`);
    expect(disk.id).toBe('disk[sdz]');
    expect(lineDiff(corpusFile(name), xml)).toEqual({ removed: [], added: `${expected}${newline}`.split('\n').slice(0, -1) });
  });

  it('puts a first device of its kind where libvirt orders it', () => {
    const config = load('tab-indented.xml');
    config.addDevice('watchdog', { model: 'i6300esb', action: 'reset' });
    config.addDevice('controller', { type: 'usb', index: 0, model: 'qemu-xhci' });
    expect(config.devices().map((device) => device.id)).toEqual(['disk[vda]', 'controller[usb,0]', 'interface[52:54:00:fe:dc:ba]', 'graphics[vnc]', 'video#0', 'watchdog#0']);
  });

  it('adds an interface, and a device from XML written with other indentation', () => {
    const config = load('tab-indented.xml');
    config.addInterface({ type: 'bridge', mac: '52:54:00:01:02:03', sourceBridge: 'br0', model: 'virtio' });
    const rng = config.addDeviceXml(`<rng model="virtio">\n    <backend model="random">/dev/urandom</backend>\n</rng>`);
    expect(rng.id).toBe('rng#0');
    expect(lineDiff(corpusFile('tab-indented.xml'), config.toXml()).added).toEqual([
      "\t\t<interface type='bridge'>",
      "\t\t\t<mac address='52:54:00:01:02:03'/>",
      "\t\t\t<source bridge='br0'/>",
      "\t\t\t<model type='virtio'/>",
      '\t\t</interface>',
      '\t\t<rng model="virtio">',
      '\t\t\t<backend model="random">/dev/urandom</backend>',
      '\t\t</rng>',
    ]);
  });

  it('creates <devices> when there is none', () => {
    const config = DomainConfig.parse(`<domain type='kvm'>\n  <name>bare</name>\n  <memory>1024</memory>\n  <os>\n    <type>hvm</type>\n  </os>\n  <seclabel type='none'/>\n</domain>\n`);
    config.addDevice('video', { model: 'virtio' });
    expect(config.toXml()).toBe(
      `<domain type='kvm'>\n  <name>bare</name>\n  <memory>1024</memory>\n  <os>\n    <type>hvm</type>\n  </os>\n  <devices>\n    <video>\n      <model type='virtio'/>\n    </video>\n  </devices>\n  <seclabel type='none'/>\n</domain>\n`,
    );
  });

  it('replaces and removes devices in place', () => {
    const config = load('virt-manager-fedora-q35.xml');
    const replaced = config.replaceDevice(config.device('interface[52:54:00:6c:3c:01]')!, `<interface type='bridge'><mac address='52:54:00:6c:3c:02'/><source bridge='br0'/></interface>`);
    expect(replaced.id).toBe('interface[52:54:00:6c:3c:02]');
    config.removeDevice(config.device('sound#0')!);
    expect(lineDiff(corpusFile('virt-manager-fedora-q35.xml'), config.toXml())).toEqual({
      removed: [
        "    <interface type='network'>",
        "      <mac address='52:54:00:6c:3c:01'/>",
        "      <source network='default'/>",
        "      <model type='virtio'/>",
        "      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>",
        "    <sound model='ich9'>",
        "      <address type='pci' domain='0x0000' bus='0x00' slot='0x1b' function='0x0'/>",
        '    </sound>',
      ],
      added: ["    <interface type='bridge'>", "      <mac address='52:54:00:6c:3c:02'/>", "      <source bridge='br0'/>"],
    });
  });
});

describe('validation', () => {

  it.each(corpus)('%s is valid', (_name, xml) => {
    expect(DomainConfig.parse(xml).validate()).toEqual([]);
  });

  it.each<[string, string, (config: DomainConfig) => unknown, ValidationIssue[]]>([
    ['no name', 'tab-indented.xml', (c) => c.set('name', ' '), [{ subject: 'name', message: 'the domain needs a name' }]],
    ['a / in the name', 'tab-indented.xml', (c) => c.set('name', 'a/b'), [{ subject: 'name', message: "the name 'a/b' contains '/', which libvirt refuses" }]],
    ['no memory', 'tab-indented.xml', (c) => c.set('memoryKiB', undefined), [{ subject: 'memoryKiB', message: 'the memory size is not set' }]],
    ['unknown unit', 'tab-indented.xml', (c) => c.element.child('memory')!.setAttr('unit', 'XB'), [{ subject: 'memoryKiB', message: "<memory> has an unknown unit 'XB'" }]],
    ['not a number', 'tab-indented.xml', (c) => c.element.child('currentMemory')!.setText('lots'), [{ subject: 'currentMemoryKiB', message: "<currentMemory> 'lots' is not a whole number" }]],
    ['current memory over the maximum', 'tab-indented.xml', (c) => c.set('currentMemoryKiB', 4194304), [{ subject: 'currentMemoryKiB', message: 'current memory (4194304 KiB) is more than the maximum memory (2097152 KiB)' }]],
    ['current vCPUs over the maximum', 'tab-indented.xml', (c) => c.setVcpus(2, 3), [{ subject: 'vcpus', message: '3 current vCPUs is not between 1 and the maximum of 2' }]],
    ['no vCPUs', 'tab-indented.xml', (c) => c.setVcpus(0), [{ subject: 'vcpus', message: 'the maximum vCPU count must be at least 1, not 0' }]],
    ['topology not matching the vCPUs', 'live-running-vnc.xml', (c) => c.setVcpus(6, 2), [{ subject: 'cpu', message: 'the CPU topology gives 4 vCPUs but the maximum vCPU count is 6' }]],
    ['custom CPU without a model', 'virt-manager-fedora-q35.xml', (c) => c.setCpuMode('custom'), [{ subject: 'cpu', message: 'custom CPU mode needs a CPU model' }]],
    ['both boot styles', 'tab-indented.xml', (c) => c.device('disk[vda]')!.set('bootOrder', 1), [{ subject: 'boot', message: 'boot order is set both with <os><boot dev> and per-device <boot order>, which libvirt refuses' }]],
    ['a boot order used twice', 'four-space-multiline-attributes.xml', (c) => c.device('interface[52:54:00:33:44:55]')!.set('bootOrder', 2), [{ subject: 'interface[52:54:00:33:44:55]', message: 'boot order 2 is used by disk[vda] and interface[52:54:00:33:44:55]' }]],
    ['initrd without a kernel', 'hand-edited-comments-cdata.xml', (c) => c.set('kernel', undefined), [{ subject: 'initrd', message: 'direct kernel boot: initrd is set without a kernel' }, { subject: 'cmdline', message: 'direct kernel boot: cmdline is set without a kernel' }]],
    ['a bad MAC', 'tab-indented.xml', (c) => c.devices('interface')[0]!.set('mac', '52:54:00:zz:00:01'), [{ subject: 'interface[52:54:00:zz:00:01]', message: "'52:54:00:zz:00:01' is not a MAC address" }]],
    ['a multicast MAC', 'tab-indented.xml', (c) => c.devices('interface')[0]!.set('mac', '01:00:5e:00:00:01'), [{ subject: 'interface[01:00:5e:00:00:01]', message: '01:00:5e:00:00:01 is a multicast MAC address' }]],
    ['a duplicate MAC', 'tab-indented.xml', (c) => c.addInterface({ type: 'user', mac: '52:54:00:FE:DC:BA' }), [{ subject: 'interface[52:54:00:FE:DC:BA]', message: 'MAC address 52:54:00:fe:dc:ba is used by 2 interfaces' }]],
    ['a duplicate disk target', 'tab-indented.xml', (c) => c.addDisk({ type: 'file', device: 'disk', sourceFile: '/x.img', targetDev: 'vda' }), [{ subject: 'disk#1', message: 'target device vda is used by 2 disks' }]],
    ['a disk without a target', 'tab-indented.xml', (c) => c.addDisk({ type: 'file', device: 'cdrom' }), [{ subject: 'disk#1', message: 'the disk has no target device' }]],
    ['a network interface without a network', 'tab-indented.xml', (c) => c.addInterface({ type: 'network', mac: '52:54:00:00:00:09' }), [{ subject: 'interface[52:54:00:00:00:09]', message: 'a network interface needs a source network' }]],
    ['a block disk without a device', 'tab-indented.xml', (c) => c.addDisk({ type: 'block', device: 'disk', targetDev: 'vdb' }), [{ subject: 'disk[vdb]', message: 'a block disk needs a source device' }]],
    ['a VNC port out of range', 'tab-indented.xml', (c) => c.device('graphics[vnc]', 'graphics')!.update({ autoport: false, port: 80 }), [{ subject: 'graphics[vnc]', message: 'vnc port 80 is outside 5900-65535' }]],
  ])('reports %s', (_what, name, change, expected) => {
    expect(issues(name, change)).toEqual(expected);
  });
});

describe('parsing', () => {
  it('refuses documents that are not domains, and malformed XML', () => {
    expect(() => DomainConfig.parse("<network><name>default</name></network>")).toThrow(DomainConfigError);
    expect(() => DomainConfig.parse('<domain><name>x</domain>')).toThrow(XmlSyntaxError);
  });

  it('refuses a metadata element without a prefix and memory that is not whole KiB', () => {
    const config = load('tab-indented.xml');
    expect(() => config.ensureMetadata('urn:x', 'plain')).toThrow(DomainConfigError);
    expect(() => config.set('memoryKiB', 1.5)).toThrow(RangeError);
  });
});
