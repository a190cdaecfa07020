// The Details pages about the whole VM: Overview, Performance, CPUs, Memory, Boot Options.
import { useEffect, useState } from 'react';
import { formatKiB, osInfoId, setOsInfoId, setSharedMemory, sharedMemory } from '../../../../shared/details/config.js';
import type { DetailsIssue, VmDetails } from '../../../../shared/details/model.js';
import type { VmStats } from '../../../../shared/models/stats.js';
import type { Device } from '../../../../shared/xml/devices.js';
import type { BootDevice, CpuMode, DomainConfig } from '../../../../shared/xml/domain.js';
import { useApi } from '../../../api/context.js';
import { Sparkline } from '../../../components/Sparkline.js';
import { CheckField, IssueList, NumberField, ReadOnlyRow, SelectField, TextField } from './fields.js';

export interface PageProps {
  config: DomainConfig;
  details: VmDetails;
  edit(change: (config: DomainConfig) => Device | void): string | undefined;
  issues: readonly DetailsIssue[];
  running: boolean;
}

export function OverviewPage({ config, details, edit, issues }: PageProps) {
  const client = useApi();
  const [osQuery, setOsQuery] = useState('');
  const [osChoices, setOsChoices] = useState<Array<{ id: string; name: string }>>([]);
  useEffect(() => {
    if (osQuery.trim().length < 2) return;
    let current = true;
    const timer = setTimeout(() => {
      client.call('wizard.searchOs', { query: osQuery, includeEol: true, limit: 30 }).then(
        (found) => current && setOsChoices(found.map((os) => ({ id: os.id, name: os.name }))),
        () => current && setOsChoices([]),
      );
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, osQuery]);
  const firmwares = details.capabilities?.firmwares ?? ['bios', 'efi'];
  const osId = osInfoId(config);
  return (
    <section className="dt-page" aria-label="Overview" data-testid="page-overview">
      <h2>Overview</h2>
      <TextField label="Name" value={config.get('name')} onChange={(name) => edit((c) => void c.set('name', name))} testId="field-name" hint={details.state !== 'shutoff' ? 'Renaming needs the VM shut off' : undefined} />
      <IssueList issues={issues} subject="name" />
      <TextField label="Title" value={config.get('title')} onChange={(title) => edit((c) => void c.set('title', title))} testId="field-title" />
      <TextField label="Description" value={config.get('description')} onChange={(description) => edit((c) => void c.set('description', description))} multiline testId="field-description" />
      <ReadOnlyRow label="UUID" value={config.uuid} testId="field-uuid" />
      <IssueList issues={issues} subject="uuid" />
      <ReadOnlyRow label="State" value={details.state} />
      <ReadOnlyRow label="Hypervisor" value={`${config.get('hypervisor') ?? ''} (${details.host.hypervisor})`} />
      <ReadOnlyRow label="Architecture" value={config.get('arch')} />
      <ReadOnlyRow label="Emulator" value={config.get('emulator')} />
      <TextField label="Machine type" value={config.get('machine')} onChange={(machine) => edit((c) => void c.set('machine', machine))} testId="field-machine" />
      <SelectField
        label="Firmware"
        value={config.firmware()}
        options={(['bios', 'efi'] as const).filter((f) => firmwares.includes(f) || config.firmware() === f).map((f) => [f, f === 'efi' ? 'UEFI' : 'BIOS'] as const)}
        onChange={(firmware) => firmware && edit((c) => void c.setFirmware(firmware))}
        testId="field-firmware"
      />
      <TextField
        label="Operating system"
        value={osId}
        onChange={(id) => {
          edit((c) => setOsInfoId(c, id));
          setOsQuery(id ?? '');
        }}
        list="dt-os-choices"
        placeholder="libosinfo id, e.g. http://debian.org/debian/12"
        hint={details.os?.name ?? undefined}
        testId="field-os"
      />
      <datalist id="dt-os-choices">
        {osChoices.map((os) => (
          <option key={os.id} value={os.id}>
            {os.name}
          </option>
        ))}
      </datalist>
      <SelectField label="On power off" value={config.get('onPoweroff')} options={['destroy', 'restart', 'preserve', 'rename-restart']} onChange={(v) => edit((c) => void c.set('onPoweroff', v))} allowNone />
      <SelectField label="On reboot" value={config.get('onReboot')} options={['destroy', 'restart', 'preserve', 'rename-restart']} onChange={(v) => edit((c) => void c.set('onReboot', v))} allowNone />
      <SelectField label="On crash" value={config.get('onCrash')} options={['destroy', 'restart', 'preserve', 'rename-restart', 'coredump-destroy', 'coredump-restart']} onChange={(v) => edit((c) => void c.set('onCrash', v))} allowNone />
    </section>
  );
}

type Sample = { at: number; stats: VmStats };

const rate = (bytes: number | null | undefined) => (bytes == null ? '—' : bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MiB/s` : `${(bytes / 1024).toFixed(1)} KiB/s`);

function move<T>(list: readonly T[], index: number, by: number): T[] {
  const next = [...list];
  const [item] = next.splice(index, 1);
  next.splice(index + by, 0, item!);
  return next;
}

export function PerformancePage({ details }: { details: VmDetails }) {
  const client = useApi();
  const [samples, setSamples] = useState<Sample[]>([]);
  const { connectionId, uuid } = details;
  useEffect(() => {
    const off = client.on('stats.tick', (tick) => {
      if (tick.connectionId !== connectionId) return;
      const stats = tick.vms[uuid] ?? Object.entries(tick.vms).find(([key]) => key.toLowerCase() === uuid.toLowerCase())?.[1];
      if (stats) setSamples((previous) => [...previous.slice(-59), { at: tick.at, stats }]);
    });
    void client.call('stats.watch', { connectionId }).catch(() => undefined);
    return () => {
      off();
      void client.call('stats.unwatch', { connectionId }).catch(() => undefined);
    };
  }, [client, connectionId, uuid]);
  const last = samples.at(-1)?.stats;
  const series = (pick: (stats: VmStats) => number | null) => samples.map((sample) => pick(sample.stats) ?? Number.NaN);
  const disk = series((s) => (s.diskReadBytesPerSec ?? 0) + (s.diskWriteBytesPerSec ?? 0));
  const net = series((s) => (s.netRxBytesPerSec ?? 0) + (s.netTxBytesPerSec ?? 0));
  const graphs: Array<[string, number[], number, string, string]> = [
    ['CPU usage', series((s) => s.cpuPercent), 100, last?.cpuPercent == null ? '—' : `${last.cpuPercent.toFixed(1)} %`, 'perf-cpu'],
    ['Memory usage', series((s) => s.memoryPercent), 100, last ? `${formatKiB(last.memoryKiB)} of ${formatKiB(last.maxMemoryKiB)}` : '—', 'perf-memory'],
    ['Disk I/O', disk, Math.max(1, ...disk.filter(Number.isFinite)), last ? `read ${rate(last.diskReadBytesPerSec)}, write ${rate(last.diskWriteBytesPerSec)}` : '—', 'perf-disk'],
    ['Network I/O', net, Math.max(1, ...net.filter(Number.isFinite)), last ? `in ${rate(last.netRxBytesPerSec)}, out ${rate(last.netTxBytesPerSec)}` : '—', 'perf-net'],
  ];
  return (
    <section className="dt-page" aria-label="Performance" data-testid="page-performance">
      <h2>Performance</h2>
      {details.state !== 'running' && <p className="dt-hint">The VM is not running: there is nothing to measure.</p>}
      <div className="dt-graphs">
        {graphs.map(([label, values, max, text, testId]) => (
          <figure key={label} className="dt-graph" data-testid={testId}>
            <figcaption>
              {label}: <span data-testid={`${testId}-value`}>{text}</span>
            </figcaption>
            <Sparkline values={values} max={max} width={320} height={64} />
          </figure>
        ))}
      </div>
    </section>
  );
}

const CPU_MODES: ReadonlyArray<readonly [CpuMode | 'default', string]> = [
  ['default', 'Hypervisor default'],
  ['host-passthrough', 'host-passthrough (nested virtualisation)'],
  ['host-model', 'host-model'],
  ['maximum', 'maximum'],
  ['custom', 'custom model'],
];

export function CpuPage({ config, details, edit, issues, running }: PageProps) {
  const { max, current } = config.vcpus();
  const cpu = config.cpu();
  const caps = details.capabilities;
  const modes = CPU_MODES.filter(([mode]) => {
    if (mode === 'default' || mode === cpu.mode || caps === null) return true;
    return { 'host-passthrough': caps.cpuModes.hostPassthrough, 'host-model': caps.cpuModes.hostModel, maximum: caps.cpuModes.maximum, custom: caps.cpuModes.custom }[mode];
  });
  const topology = cpu.topology;
  const setTopology = (level: 'sockets' | 'cores' | 'threads', value: number) =>
    edit((c) => {
      const t = c.cpu().topology ?? { sockets: 1, cores: c.vcpus().max ?? 1, threads: 1 };
      c.setCpuTopology({ ...t, [level]: value });
    });
  return (
    <section className="dt-page" aria-label="CPUs" data-testid="page-cpu">
      <h2>CPUs</h2>
      <ReadOnlyRow label="Host CPUs" value={`${details.host.cpus}${caps?.maxVcpus ? ` (at most ${caps.maxVcpus} vCPUs for this machine type)` : ''}`} />
      <NumberField
        label="Current vCPUs"
        value={current}
        min={1}
        onChange={(count) => edit((c) => void c.setVcpus(Math.max(c.vcpus().max ?? count, count), count))}
        testId="field-vcpus-current"
        hint={running ? 'Changes live up to the maximum' : undefined}
      />
      <NumberField
        label="Maximum vCPUs"
        value={max}
        min={1}
        onChange={(count) =>
          edit((c) => {
            // All vCPUs online stays so; else the online count stays, within the new maximum.
            const { max: was, current: online } = c.vcpus();
            c.setVcpus(count, online === undefined || online === was ? count : Math.min(online, count));
          })
        }
        testId="field-vcpus-max"
        hint={running ? 'Takes effect at the next boot' : undefined}
      />
      {max !== undefined && max > details.host.cpus && <p className="dt-warning">More vCPUs than the host has CPUs ({details.host.cpus}) can make the VM slow.</p>}
      <IssueList issues={issues} subject="vcpus" />
      <SelectField
        label="CPU mode"
        value={cpu.mode ?? 'default'}
        options={modes}
        onChange={(mode) =>
          edit((c) => {
            if (mode === undefined || mode === 'default') {
              c.element.child('cpu')?.remove();
            } else {
              c.setCpuMode(mode, mode === 'custom' ? (c.cpu().model ?? caps?.cpuModels[0] ?? 'qemu64') : undefined);
            }
          })
        }
        testId="field-cpu-mode"
      />
      {cpu.mode === 'custom' && (
        <SelectField label="CPU model" value={cpu.model} options={caps?.cpuModels.length ? caps.cpuModels : cpu.model ? [cpu.model] : []} onChange={(model) => model && edit((c) => void c.setCpuMode('custom', model))} testId="field-cpu-model" />
      )}
      <CheckField
        label="Manual topology"
        checked={topology !== undefined}
        onChange={(on) => edit((c) => void c.setCpuTopology(on ? { sockets: 1, cores: c.vcpus().max ?? 1, threads: 1 } : undefined))}
        testId="field-topology"
      />
      {topology !== undefined && (
        <>
          <NumberField label="Sockets" value={topology.sockets} min={1} onChange={(v) => setTopology('sockets', v)} testId="field-sockets" />
          <NumberField label="Cores" value={topology.cores} min={1} onChange={(v) => setTopology('cores', v)} testId="field-cores" />
          <NumberField label="Threads" value={topology.threads} min={1} onChange={(v) => setTopology('threads', v)} testId="field-threads" />
        </>
      )}
      <IssueList issues={issues} subject="cpu" />
    </section>
  );
}

const toMiB = (kib: number | undefined) => (kib === undefined ? undefined : Math.round(kib / 1024));

export function MemoryPage({ config, details, edit, issues, running }: PageProps) {
  const memory = config.get('memoryKiB');
  const current = config.get('currentMemoryKiB') ?? memory;
  const hostMiB = Math.floor(details.host.memoryKiB / 1024);
  return (
    <section className="dt-page" aria-label="Memory" data-testid="page-memory">
      <h2>Memory</h2>
      <ReadOnlyRow label="Host memory" value={`${hostMiB} MiB`} />
      <NumberField
        label="Current allocation"
        value={toMiB(current)}
        unit="MiB"
        min={1}
        onChange={(mib) => edit((c) => void c.set('currentMemoryKiB', mib * 1024))}
        testId="field-memory-current"
        hint={running ? 'Changes live (with a memory balloon), up to the maximum' : undefined}
      />
      <IssueList issues={issues} subject="currentMemoryKiB" />
      <NumberField
        label="Maximum allocation"
        value={toMiB(memory)}
        unit="MiB"
        min={1}
        onChange={(mib) =>
          edit((c) => {
            const wasCurrent = c.get('currentMemoryKiB');
            c.set('memoryKiB', mib * 1024);
            // Lowering the maximum below the current allocation takes the current one along.
            if (wasCurrent !== undefined && wasCurrent > mib * 1024) c.set('currentMemoryKiB', mib * 1024);
          })
        }
        testId="field-memory-max"
        hint={running ? 'Takes effect at the next boot' : undefined}
      />
      <IssueList issues={issues} subject="memoryKiB" />
      <CheckField label="Shared memory" checked={sharedMemory(config)} onChange={(on) => edit((c) => setSharedMemory(c, on))} testId="field-shared-memory" hint="Needed by virtiofs filesystem sharing" />
      <IssueList issues={issues} subject="maxMemoryKiB" />
    </section>
  );
}

const BOOT_DEVICE_LABEL: Record<BootDevice, string> = { hd: 'Hard disk', cdrom: 'CDROM', network: 'Network (PXE)', fd: 'Floppy' };
const BOOTABLE = new Set(['disk', 'interface', 'hostdev', 'redirdev', 'filesystem']);

export function BootPage({ config, details, edit, issues, autostart, setAutostart }: PageProps & { autostart: boolean; setAutostart(value: boolean): void }) {
  const perDevice = config.bootOrder();
  const legacy = config.bootDevices();
  const usePerDevice = perDevice.length > 0 || legacy.length === 0;
  const bootable = config.devices().filter((device) => BOOTABLE.has(device.tag));
  const ordered = [...perDevice, ...bootable.filter((device) => !perDevice.some((d) => d.element === device.element))];
  const orderIds = perDevice.map((d) => d.id);
  const setOrder = (ids: string[]) => edit((c) => void c.setBootOrder(ids.map((id) => c.device(id)!).filter(Boolean)));
  return (
    <section className="dt-page" aria-label="Boot Options" data-testid="page-boot">
      <h2>Boot Options</h2>
      <CheckField label="Start the VM on host boot (autostart)" checked={autostart} onChange={setAutostart} testId="field-autostart" hint={details.persistent ? undefined : 'A transient VM cannot autostart'} />
      <CheckField label="Enable boot menu" checked={config.get('bootMenu') === true} onChange={(on) => edit((c) => void c.set('bootMenu', on ? true : undefined))} testId="field-bootmenu" />
      <h3>Boot device order</h3>
      {usePerDevice ? (
        <ol className="dt-boot-list" data-testid="boot-order">
          {ordered.map((device) => {
            const index = orderIds.indexOf(device.id);
            const enabled = index >= 0;
            return (
              <li key={device.id}>
                <label>
                  <input type="checkbox" checked={enabled} onChange={(e) => setOrder(e.target.checked ? [...orderIds, device.id] : orderIds.filter((id) => id !== device.id))} /> {device.id}
                </label>
                <button type="button" disabled={!enabled || index === 0} onClick={() => setOrder(move(orderIds, index, -1))} aria-label={`Move ${device.id} up`}>
                  ↑
                </button>
                <button type="button" disabled={!enabled || index === orderIds.length - 1} onClick={() => setOrder(move(orderIds, index, 1))} aria-label={`Move ${device.id} down`}>
                  ↓
                </button>
              </li>
            );
          })}
        </ol>
      ) : (
        <ol className="dt-boot-list" data-testid="boot-order">
          {[...legacy, ...(['hd', 'cdrom', 'network', 'fd'] as const).filter((dev) => !legacy.includes(dev))].map((dev) => {
            const index = legacy.indexOf(dev);
            return (
              <li key={dev}>
                <label>
                  <input type="checkbox" checked={index >= 0} onChange={(e) => edit((c) => void c.setBootDevices(e.target.checked ? [...legacy, dev] : legacy.filter((d) => d !== dev)))} /> {BOOT_DEVICE_LABEL[dev]}
                </label>
                <button type="button" disabled={index <= 0} onClick={() => edit((c) => void c.setBootDevices(move(legacy, index, -1) as BootDevice[]))} aria-label={`Move ${dev} up`}>
                  ↑
                </button>
                <button type="button" disabled={index < 0 || index === legacy.length - 1} onClick={() => edit((c) => void c.setBootDevices(move(legacy, index, 1) as BootDevice[]))} aria-label={`Move ${dev} down`}>
                  ↓
                </button>
              </li>
            );
          })}
          <li>
            <button type="button" onClick={() => setOrder(bootable.filter((d) => d.tag === 'disk').map((d) => d.id))}>
              Use per-device boot order
            </button>
          </li>
        </ol>
      )}
      <IssueList issues={issues} subject="boot" />
      <h3>Direct kernel boot</h3>
      <TextField label="Kernel path" value={config.get('kernel')} onChange={(v) => edit((c) => void c.set('kernel', v))} testId="field-kernel" />
      <TextField label="Initrd path" value={config.get('initrd')} onChange={(v) => edit((c) => void c.set('initrd', v))} testId="field-initrd" />
      <IssueList issues={issues} subject="initrd" />
      <TextField label="Kernel arguments" value={config.get('cmdline')} onChange={(v) => edit((c) => void c.set('cmdline', v))} testId="field-cmdline" />
      <IssueList issues={issues} subject="cmdline" />
      <TextField label="DTB path" value={config.get('dtb')} onChange={(v) => edit((c) => void c.set('dtb', v))} />
      <IssueList issues={issues} subject="dtb" />
    </section>
  );
}
