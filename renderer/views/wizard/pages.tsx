// The wizard's pages. Each edits part of the WizardForm; checks happen in NewVmWizard on Forward.
import { type ReactNode, useEffect, useState } from 'react';
import type { ConnectionInfo } from '../../../shared/models/connection.js';
import type { MediaInspection, OsChoice, WizardDefaults, WizardEnvironment, WizardFieldError, WizardTemplate } from '../../../shared/models/wizard.js';
import { useApi } from '../../api/context.js';
import {
  INSTALL_METHODS,
  type WizardForm,
  copiesOf,
  copyNamesPreview,
  describeMethod,
  describeMiB,
  effectiveStorage,
  needsPool,
  withCopyNumber,
} from './form.js';

export type PathField = 'isoPath' | 'importPath' | 'kernel' | 'initrd' | 'cloudImage' | 'existingPath';

export interface PageProps {
  form: WizardForm;
  update(patch: Partial<WizardForm>): void;
  env: WizardEnvironment | null;
  error: WizardFieldError | null;
  browse(field: PathField, title: string): void;
}

/** aria-invalid for the inputs of the field the backend complained about. */
const invalid = (error: WizardFieldError | null, ...fields: string[]) => (error && fields.some((f) => error.field === f || error.field.startsWith(`${f}.`)) ? true : undefined);

function PathInput({ label, field, value, placeholder, props, testId, errorFields, title }: { label: string; field: PathField; value: string; placeholder?: string; props: PageProps; testId: string; errorFields: string[]; title: string }) {
  return (
    <label>
      {label}
      <span className="path-input">
        <input value={value} onChange={(e) => props.update({ [field]: e.target.value })} placeholder={placeholder} spellCheck={false} aria-invalid={invalid(props.error, ...errorFields)} data-testid={testId} />
        <button type="button" onClick={() => props.browse(field, title)} data-testid={`${testId}-browse`}>
          Browse…
        </button>
      </span>
    </label>
  );
}

// ---- page 1

export function MethodPage({ form, update, env, error, connections, templates, applyTemplate }: PageProps & { connections: ConnectionInfo[]; templates: WizardTemplate[]; applyTemplate(template: WizardTemplate): void }) {
  const arch = env?.arches.find((a) => a.arch === (form.arch || env.hostArch));
  return (
    <div className="wizard-page">
      <label>
        Connection
        <select value={form.connectionId} onChange={(e) => update({ connectionId: e.target.value })} data-testid="wizard-connection">
          {connections.map((c) => (
            <option key={c.id} value={c.id} disabled={c.state !== 'connected'}>
              {c.name} ({c.uri}){c.state === 'connected' ? '' : ` — ${c.state}`}
            </option>
          ))}
        </select>
      </label>
      {templates.length > 0 && (
        <label>
          Start from a saved template
          <select
            value=""
            onChange={(e) => {
              const template = templates.find((t) => t.name === e.target.value);
              if (template) applyTemplate(template);
            }}
            data-testid="wizard-template"
          >
            <option value="">—</option>
            {templates.map((t) => (
              <option key={t.name} value={t.name} disabled={t.plan === null} title={t.problem ?? undefined}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <fieldset>
        <legend>How would you like to install the operating system?</legend>
        {INSTALL_METHODS.map((m) => (
          <label key={m.kind} className="inline choice" title={m.help}>
            <input type="radio" name="install-method" value={m.kind} checked={form.method === m.kind} onChange={() => update({ method: m.kind })} data-testid={`wizard-method-${m.kind}`} />
            <span>
              {m.label}
              <small>{m.help}</small>
            </span>
          </label>
        ))}
      </fieldset>
      <fieldset className="architecture">
        <legend>Architecture options</legend>
        <label>
          Architecture
          <select value={form.arch} onChange={(e) => update({ arch: e.target.value, machine: '' })} aria-invalid={invalid(error, 'arch')} data-testid="wizard-arch">
            <option value="">Host ({env?.hostArch ?? '…'})</option>
            {env?.arches
              .filter((a) => a.arch !== env.hostArch)
              .map((a) => (
                <option key={a.arch} value={a.arch}>
                  {a.arch}
                </option>
              ))}
          </select>
        </label>
        <label>
          Virtualization
          <select value={form.virtType} onChange={(e) => update({ virtType: e.target.value as WizardForm['virtType'] })} aria-invalid={invalid(error, 'virtType')} data-testid="wizard-virt-type">
            <option value="">Automatic ({env?.kvmUsable && (!form.arch || form.arch === env.hostArch) ? 'KVM' : 'QEMU TCG'})</option>
            {arch?.virtTypes.includes('kvm') && <option value="kvm">KVM (hardware accelerated)</option>}
            <option value="qemu">QEMU TCG (emulated)</option>
          </select>
        </label>
        <label>
          Machine type
          <select value={form.machine} onChange={(e) => update({ machine: e.target.value })} aria-invalid={invalid(error, 'machine')} data-testid="wizard-machine">
            <option value="">Default{env?.defaultMachine && !form.arch ? ` (${env.defaultMachine})` : ''}</option>
            {arch?.machines.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        {env && !env.kvmUsable && <p className="hint">{env.kvmExplanation}</p>}
      </fieldset>
    </div>
  );
}

// ---- page 2

function OsPicker({ form, update, error, detection }: PageProps & { detection: Detection }) {
  const client = useApi();
  const [query, setQuery] = useState('');
  const [includeEol, setIncludeEol] = useState(false);
  const [results, setResults] = useState<OsChoice[]>([]);
  const auto = form.method === 'iso' && form.osAuto;
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      client.call('wizard.searchOs', { query, includeEol, limit: 300 }).then(
        (found) => live && setResults(found),
        () => undefined,
      );
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, query, includeEol]);
  const options = form.os && !results.some((r) => r.id === form.os!.id) ? [form.os, ...results] : results;
  return (
    <fieldset className="os-picker">
      <legend>Operating system</legend>
      {form.method === 'iso' && (
        <label className="inline">
          <input type="checkbox" checked={form.osAuto} onChange={(e) => update({ osAuto: e.target.checked })} data-testid="wizard-os-auto" />
          Detect from the installation media
        </label>
      )}
      {auto && (
        <p className="detected" data-testid="wizard-os-detected" aria-live="polite">
          {detection.state === 'idle' && 'Choose the media to detect its operating system.'}
          {detection.state === 'busy' && 'Detecting…'}
          {detection.state === 'done' && (detection.result.ok ? detection.result.kind === 'iso' && (detection.result.os ? `Detected: ${detection.result.os.name}` : `Unknown media "${detection.result.volumeId}": choose the operating system below.`) : detection.result.error.message)}
        </p>
      )}
      {!auto && (
        <>
          <span className="os-search">
            <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Search: debian, fedora 40, windows…" aria-label="Search operating systems" data-testid="wizard-os-search" />
            <label className="inline">
              <input type="checkbox" checked={includeEol} onChange={(e) => setIncludeEol(e.target.checked)} data-testid="wizard-os-eol" />
              Include end-of-life systems
            </label>
          </span>
          <select
            size={7}
            value={form.os?.id ?? ''}
            onChange={(e) => update({ os: options.find((o) => o.id === e.target.value) ?? null })}
            aria-label="Operating system"
            aria-invalid={invalid(error, 'osId')}
            data-testid="wizard-os-list"
          >
            <option value="">Generic or unknown OS</option>
            {options.map((os) => (
              <option key={os.id} value={os.id}>
                {os.name}
                {os.eol ? ' (end of life)' : ''}
              </option>
            ))}
          </select>
        </>
      )}
      <p className="selected-os">
        Installing: <strong data-testid="wizard-os-selected">{form.os?.name ?? 'Generic or unknown OS'}</strong>
      </p>
    </fieldset>
  );
}

export type Detection = { state: 'idle' } | { state: 'busy' } | { state: 'done'; result: MediaInspection };

export function SourcePage(props: PageProps & { detection: Detection; image: Detection }) {
  const { form, update, error, env, image } = props;
  const imageInfo = image.state === 'done' && image.result.ok && image.result.kind === 'image' ? image.result : null;
  const imageError = image.state === 'done' && !image.result.ok ? image.result.error.message : null;
  const local = env?.local ?? true;
  let media: ReactNode = null;
  switch (form.method) {
    case 'iso':
      media = <PathInput label="ISO image or CD-ROM device" field="isoPath" value={form.isoPath} placeholder="/var/lib/libvirt/images/debian.iso or /dev/sr0" props={props} testId="wizard-iso-path" errorFields={['install.path']} title="Choose the installation media" />;
      break;
    case 'network':
      media = (
        <>
          <label>
            URL of the install tree
            <input value={form.treeUrl} onChange={(e) => update({ treeUrl: e.target.value })} placeholder="https://deb.debian.org/debian/dists/bookworm/main/installer-amd64/" spellCheck={false} aria-invalid={invalid(error, 'install.url')} data-testid="wizard-tree-url" />
          </label>
          <p className="hint">Leave it empty to use the tree osinfo-db knows for the chosen OS{form.os?.hasTree ? '' : ' (the chosen OS has none)'}.</p>
          <label>
            Extra kernel arguments
            <input value={form.treeArgs} onChange={(e) => update({ treeArgs: e.target.value })} placeholder="console=ttyS0" spellCheck={false} data-testid="wizard-tree-args" />
          </label>
        </>
      );
      break;
    case 'import':
      media = <PathInput label="Existing disk image" field="importPath" value={form.importPath} placeholder="/var/lib/libvirt/images/vm.qcow2" props={props} testId="wizard-import-path" errorFields={['install.path']} title="Choose the disk image to import" />;
      break;
    case 'kernel':
      media = (
        <>
          <PathInput label="Kernel" field="kernel" value={form.kernel} placeholder="/boot/vmlinuz" props={props} testId="wizard-kernel" errorFields={['install.kernel']} title="Choose the kernel" />
          <PathInput label="Initrd (optional)" field="initrd" value={form.initrd} placeholder="/boot/initrd.img" props={props} testId="wizard-initrd" errorFields={['install.initrd']} title="Choose the initrd" />
          <label>
            Kernel command line
            <input value={form.cmdline} onChange={(e) => update({ cmdline: e.target.value })} placeholder="console=ttyS0 root=/dev/vda1" spellCheck={false} data-testid="wizard-cmdline" />
          </label>
        </>
      );
      break;
    case 'cloud-image':
      media = (
        <>
          <PathInput label="Cloud image (qcow2 or raw)" field="cloudImage" value={form.cloudImage} placeholder="/var/lib/libvirt/images/debian-12-generic-amd64.qcow2" props={props} testId="wizard-cloud-image" errorFields={['install.image']} title="Choose the cloud image" />
          <fieldset className="cloud-init">
            <legend>cloud-init (a NoCloud seed ISO attached to the VM)</legend>
            <label>
              Host name
              <input value={form.ciHostname} onChange={(e) => update({ ciHostname: e.target.value })} placeholder="the VM's name" spellCheck={false} aria-invalid={invalid(error, 'install.cloudInit.hostname')} data-testid="wizard-ci-hostname" />
            </label>
            <label className="inline">
              <input type="checkbox" checked={form.ciCustom} onChange={(e) => update({ ciCustom: e.target.checked })} data-testid="wizard-ci-custom" />
              Write my own user-data
            </label>
            {form.ciCustom ? (
              <label>
                user-data
                <textarea rows={8} value={form.ciUserData} onChange={(e) => update({ ciUserData: e.target.value })} spellCheck={false} aria-invalid={invalid(error, 'install.cloudInit.customUserData')} data-testid="wizard-ci-userdata" />
              </label>
            ) : (
              <>
                <label>
                  User
                  <input value={form.ciUser} onChange={(e) => update({ ciUser: e.target.value })} placeholder="alice" spellCheck={false} autoComplete="off" aria-invalid={invalid(error, 'install.cloudInit.user.name', 'install.cloudInit.user')} data-testid="wizard-ci-user" />
                </label>
                <label>
                  Password
                  <input type="password" value={form.ciPassword} onChange={(e) => update({ ciPassword: e.target.value })} autoComplete="new-password" data-testid="wizard-ci-password" />
                </label>
                <label>
                  SSH public keys (one per line)
                  <textarea rows={3} value={form.ciKeys} onChange={(e) => update({ ciKeys: e.target.value })} placeholder="ssh-ed25519 AAAA… you@laptop" spellCheck={false} aria-invalid={invalid(error, 'install.cloudInit.user.sshKeys')} data-testid="wizard-ci-keys" />
                </label>
              </>
            )}
          </fieldset>
        </>
      );
      break;
    case 'pxe':
      media = <p className="hint">The VM boots from the network first (it needs a network interface: choose one on the last page).</p>;
      break;
    case 'manual':
      media = <p className="hint">No installation media: the VM gets an empty disk.</p>;
      break;
  }
  return (
    <div className="wizard-page">
      <p className="method-name">{describeMethod(form.method)}</p>
      {!local && form.method !== 'pxe' && form.method !== 'manual' && form.method !== 'network' && <p className="hint">Paths are on the connection’s host: pick a storage volume with Browse…</p>}
      {media}
      {(form.method === 'import' || form.method === 'cloud-image') && (imageInfo || imageError) && (
        <p className={imageError ? 'hint error' : 'hint'} data-testid="wizard-image-info">
          {imageInfo ? `${imageInfo.format} image, ${describeMiB(imageInfo.virtualSizeMiB)}` : imageError}
        </p>
      )}
      <OsPicker {...props} />
    </div>
  );
}

// ---- page 3

export function ResourcesPage({ form, update, error, defaults }: PageProps & { defaults: WizardDefaults | null }) {
  const host = defaults?.host;
  return (
    <div className="wizard-page">
      <label>
        Memory (MiB)
        <input type="number" min={1} step={1} value={form.memoryMiB} onChange={(e) => update({ memoryMiB: e.target.value, sizesTouched: true })} aria-invalid={invalid(error, 'memoryMiB')} data-testid="wizard-memory" />
      </label>
      <label>
        Virtual CPUs
        <input type="number" min={1} step={1} value={form.vcpus} onChange={(e) => update({ vcpus: e.target.value, sizesTouched: true })} aria-invalid={invalid(error, 'vcpus')} data-testid="wizard-vcpus" />
      </label>
      {host && (
        <p className="hint" data-testid="wizard-host-limits">
          The host has {describeMiB(host.memoryMiB)} of memory and {host.cpus} CPUs.
          {form.os && defaults.minimum.memoryMiB !== undefined && ` ${form.os.name} needs at least ${describeMiB(defaults.minimum.memoryMiB)}.`}
          {form.os && ` Recommended: ${describeMiB(defaults.memoryMiB)}, ${defaults.vcpus} vCPU${defaults.vcpus === 1 ? '' : 's'}.`}
        </p>
      )}
    </div>
  );
}

// ---- page 4

export function StoragePage(props: PageProps) {
  const { form, update, env, error } = props;
  const storage = effectiveStorage(form);
  const pools = env?.pools.filter((p) => p.active) ?? [];
  const pool = pools.find((p) => p.name === form.pool);
  const count = copiesOf(form);
  const forced = needsPool(form);
  const poolFields = (
    <div className="new-disk">
      <label>
        Pool
        <select value={form.pool} onChange={(e) => update({ pool: e.target.value })} aria-invalid={invalid(error, 'disk.pool', 'disk')} data-testid="wizard-pool">
          {pools.length === 0 && <option value="">No active storage pool</option>}
          {pools.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name} ({p.type}, {describeMiB(p.availableMiB)} free)
            </option>
          ))}
        </select>
      </label>
      <label>
        Size (GiB){count > 1 ? ', each' : ''}
        <input type="number" min={0.1} step={0.1} value={form.diskGiB} onChange={(e) => update({ diskGiB: e.target.value, sizesTouched: true })} aria-invalid={invalid(error, 'disk.sizeMiB')} data-testid="wizard-disk-size" />
      </label>
      {form.method !== 'cloud-image' && form.method !== 'import' && (
        <label>
          Format
          <select value={form.diskFormat} onChange={(e) => update({ diskFormat: e.target.value as WizardForm['diskFormat'] })} data-testid="wizard-disk-format">
            <option value="qcow2">qcow2 (grows as written, snapshots)</option>
            <option value="raw">raw (sparse file)</option>
          </select>
        </label>
      )}
      {pool && (
        <p className="hint" data-testid="wizard-pool-free">
          {describeMiB(pool.availableMiB)} free of {describeMiB(pool.capacityMiB)} in {pool.name}
          {pool.targetPath ? ` (${pool.targetPath})` : ''}.
        </p>
      )}
    </div>
  );
  if (form.method === 'import' && count === 1) {
    return (
      <div className="wizard-page">
        <p data-testid="wizard-storage-import">
          The image <code>{form.importPath}</code> is the VM’s disk: nothing new is created.
        </p>
      </div>
    );
  }
  if (forced) {
    const why =
      form.method === 'cloud-image'
        ? 'The VM gets a new qcow2 disk on top of the cloud image (the image stays as it is); its cloud-init seed ISO goes to the same pool.'
        : form.method === 'network'
          ? 'The VM’s disk, and the installer’s kernel and initrd while it installs, go to this pool.'
          : 'Each copy gets its own qcow2 disk on top of the imported image.';
    return (
      <div className="wizard-page">
        <p className="hint">{why}</p>
        {poolFields}
      </div>
    );
  }
  return (
    <div className="wizard-page">
      <label className="inline choice">
        <input type="radio" name="storage" checked={storage === 'new'} onChange={() => update({ storage: 'new' })} data-testid="wizard-storage-new" />
        <span>Create a disk image for the {count > 1 ? 'VMs (one each)' : 'VM'}</span>
      </label>
      {storage === 'new' && poolFields}
      <label className="inline choice">
        <input type="radio" name="storage" checked={storage === 'existing'} onChange={() => update({ storage: 'existing' })} data-testid="wizard-storage-existing" />
        <span>Use an existing volume or image</span>
      </label>
      {storage === 'existing' && (
        <PathInput label="Volume or image path" field="existingPath" value={form.existingPath} placeholder="/var/lib/libvirt/images/disk.qcow2" props={props} testId="wizard-existing-path" errorFields={['existingDisk.path', 'existingDisk']} title="Choose the VM's disk" />
      )}
      <label className="inline choice">
        <input type="radio" name="storage" checked={storage === 'none'} onChange={() => update({ storage: 'none' })} data-testid="wizard-storage-none" />
        <span>No disk</span>
      </label>
    </div>
  );
}

// ---- page 5

export function SummaryPage({ form, update, env, error }: PageProps) {
  const count = copiesOf(form);
  const networks = env?.networks ?? [];
  const networkValue = form.networkKind === 'network' ? `network:${form.networkName}` : form.networkKind;
  return (
    <div className="wizard-page">
      <label>
        {count > 1 ? 'Name pattern ({n} is each copy’s number)' : 'Name'}
        <input value={form.name} onChange={(e) => update({ name: e.target.value })} spellCheck={false} autoComplete="off" aria-invalid={invalid(error, 'name')} data-testid="wizard-name" />
      </label>
      <label>
        Number of VMs to create from this configuration
        <input
          type="number"
          min={1}
          max={100}
          step={1}
          value={form.copies}
          onChange={(e) => {
            const copies = e.target.value;
            update({ copies, ...(Number(copies) > 1 && { name: withCopyNumber(form.name), customize: false }) });
          }}
          aria-invalid={invalid(error, 'count')}
          data-testid="wizard-copies"
        />
      </label>
      {count > 1 && (
        <p className="hint" data-testid="wizard-copy-names">
          Creates {copyNamesPreview(form)}, each with its own disk.
        </p>
      )}
      <label>
        Network
        <select
          value={networkValue}
          onChange={(e) => {
            const value = e.target.value;
            if (value.startsWith('network:')) update({ networkKind: 'network', networkName: value.slice('network:'.length) });
            else update({ networkKind: value as WizardForm['networkKind'] });
          }}
          aria-invalid={invalid(error, 'network')}
          data-testid="wizard-network"
        >
          {networks.map((n) => (
            <option key={n.name} value={`network:${n.name}`}>
              Virtual network “{n.name}”{n.active ? '' : ' (inactive)'}
            </option>
          ))}
          <option value="bridge">Bridge device…</option>
          <option value="user">User-mode networking (outbound only)</option>
          <option value="none">No network</option>
        </select>
      </label>
      {form.networkKind === 'bridge' && (
        <label>
          Bridge name
          <input value={form.bridgeName} onChange={(e) => update({ bridgeName: e.target.value })} list="wizard-bridges" placeholder={env?.bridges[0] ?? 'br0'} spellCheck={false} aria-invalid={invalid(error, 'network')} data-testid="wizard-bridge" />
          <datalist id="wizard-bridges">
            {env?.bridges.map((b) => <option key={b} value={b} />)}
          </datalist>
        </label>
      )}
      <label className="inline">
        <input type="checkbox" checked={form.start} onChange={(e) => update({ start: e.target.checked })} data-testid="wizard-start" />
        Start the {count > 1 ? 'VMs' : 'VM'} and open {count > 1 ? 'the first one’s' : 'its'} console
      </label>
      <label className="inline" title={count > 1 ? 'Customizing applies to one VM' : undefined}>
        <input type="checkbox" checked={form.customize} disabled={count > 1} onChange={(e) => update({ customize: e.target.checked })} data-testid="wizard-customize" />
        Customize configuration before install
      </label>
      <label className="inline">
        <input type="checkbox" checked={form.saveTemplate} onChange={(e) => update({ saveTemplate: e.target.checked })} data-testid="wizard-save-template" />
        Save these settings as a template
      </label>
      {form.saveTemplate && (
        <label>
          Template name
          <input value={form.templateName} onChange={(e) => update({ templateName: e.target.value })} placeholder="e.g. Debian web server" data-testid="wizard-template-name" />
          {form.method === 'cloud-image' && form.ciPassword && <small className="hint">The cloud-init password is not saved in the template.</small>}
        </label>
      )}
      <Summary form={form} env={env} />
    </div>
  );
}

function Summary({ form, env }: { form: WizardForm; env: WizardEnvironment | null }) {
  const storage = effectiveStorage(form);
  const disk =
    form.method === 'import' && copiesOf(form) === 1
      ? form.importPath
      : storage === 'new'
        ? `${form.diskGiB} GiB ${form.method === 'cloud-image' || form.method === 'import' ? 'qcow2 overlay' : form.diskFormat} in pool ${form.pool}`
        : storage === 'existing'
          ? form.existingPath
          : 'none';
  const rows: [string, string][] = [
    ['Connection', env?.uri ?? form.connectionId],
    ['Install', describeMethod(form.method)],
    ['OS', form.os?.name ?? 'Generic or unknown OS'],
    ['Memory', `${form.memoryMiB} MiB`],
    ['CPUs', form.vcpus],
    ['Storage', disk],
    ['Architecture', `${form.arch || env?.hostArch || ''}${form.machine ? `, ${form.machine}` : ''}`],
  ];
  return (
    <dl className="wizard-summary" data-testid="wizard-summary">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
