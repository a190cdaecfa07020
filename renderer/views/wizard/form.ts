// The New-VM wizard's form: what the pages edit (text as typed), the plan it makes for the backend,
// a saved template put back into a form, the page order and progress arithmetic. No React here.
import {
  type InstallKind,
  MAX_COPIES,
  type OsChoice,
  type WizardCopies,
  type WizardEnvironment,
  type WizardFieldError,
  type WizardInstall,
  type WizardNetwork,
  type WizardPage,
  type WizardPlan,
  type WizardProgress,
  type WizardTemplatePlan,
} from '../../../shared/models/wizard.js';

export type StorageChoice = 'new' | 'existing' | 'none';
export type NetworkKind = WizardNetwork['kind'];

export interface WizardForm {
  connectionId: string;
  /** '' = the host's architecture. */
  arch: string;
  /** '' = KVM when usable, else TCG. */
  virtType: '' | 'kvm' | 'qemu';
  /** '' = libvirt's default machine type. */
  machine: string;
  method: InstallKind;
  isoPath: string;
  treeUrl: string;
  treeArgs: string;
  importPath: string;
  kernel: string;
  initrd: string;
  cmdline: string;
  cloudImage: string;
  ciUser: string;
  ciPassword: string;
  /** One OpenSSH public key per line. */
  ciKeys: string;
  /** '' = the VM's name. */
  ciHostname: string;
  ciCustom: boolean;
  ciUserData: string;
  /** Detect the OS from the ISO. */
  osAuto: boolean;
  /** null: generic / unknown OS. */
  os: OsChoice | null;
  memoryMiB: string;
  vcpus: string;
  /** The user changed memory, vCPUs or disk size: OS changes no longer reset them. */
  sizesTouched: boolean;
  storage: StorageChoice;
  pool: string;
  diskGiB: string;
  diskFormat: 'qcow2' | 'raw';
  existingPath: string;
  /** The name, or with copies the pattern ("web-{n}"). */
  name: string;
  copies: string;
  networkKind: NetworkKind;
  networkName: string;
  bridgeName: string;
  start: boolean;
  customize: boolean;
  saveTemplate: boolean;
  templateName: string;
}

export const INSTALL_METHODS: readonly { kind: InstallKind; label: string; help: string }[] = [
  { kind: 'iso', label: 'Local install media (ISO image or CD-ROM)', help: 'Boot an installer from an ISO file or an optical drive.' },
  { kind: 'network', label: 'Network install (HTTP, HTTPS or FTP)', help: 'Boot the installer kernel of an install tree.' },
  { kind: 'import', label: 'Import existing disk image', help: 'Use a disk image with an installed system as the VM’s disk.' },
  { kind: 'pxe', label: 'Network boot (PXE)', help: 'Boot from the network; the VM needs a network interface.' },
  { kind: 'manual', label: 'Manual install', help: 'No installation media: an empty disk to fill later.' },
  { kind: 'kernel', label: 'Direct kernel boot', help: 'Boot a kernel and initrd from host files.' },
  { kind: 'cloud-image', label: 'Cloud image with cloud-init', help: 'A ready-made image, configured at first boot by a NoCloud seed.' },
];

export const PAGE_TITLES: Record<WizardPage, string> = {
  method: 'Connection and install method',
  source: 'Installation source and operating system',
  resources: 'Memory and CPUs',
  storage: 'Storage',
  summary: 'Name, network and finish',
  customize: 'Customize configuration before install',
};

export function defaultForm(connectionId: string): WizardForm {
  return {
    connectionId,
    arch: '',
    virtType: '',
    machine: '',
    method: 'iso',
    isoPath: '',
    treeUrl: '',
    treeArgs: '',
    importPath: '',
    kernel: '',
    initrd: '',
    cmdline: '',
    cloudImage: '',
    ciUser: '',
    ciPassword: '',
    ciKeys: '',
    ciHostname: '',
    ciCustom: false,
    ciUserData: '#cloud-config\n',
    osAuto: true,
    os: null,
    memoryMiB: '2048',
    vcpus: '2',
    sizesTouched: false,
    storage: 'new',
    pool: '',
    diskGiB: '20',
    diskFormat: 'qcow2',
    existingPath: '',
    name: '',
    copies: '1',
    networkKind: 'network',
    networkName: '',
    bridgeName: '',
    start: true,
    customize: false,
    saveTemplate: false,
    templateName: '',
  };
}

/** Settings that follow the connection: a pool and network it has, its preferred networking. */
export function adaptToEnvironment(form: WizardForm, env: WizardEnvironment): WizardForm {
  const pools = env.pools.filter((p) => p.active);
  const pool = pools.some((p) => p.name === form.pool) ? form.pool : (pools.find((p) => p.name === 'default')?.name ?? pools[0]?.name ?? '');
  const networks = env.networks.filter((n) => n.active);
  const networkName = networks.some((n) => n.name === form.networkName) ? form.networkName : (networks.find((n) => n.name === 'default')?.name ?? networks[0]?.name ?? '');
  // A virtual network when the host has one (virt-manager's default), else user-mode networking.
  const networkKind = form.networkKind === 'network' && !networkName ? 'user' : form.networkKind;
  const arch = env.arches.some((a) => a.arch === form.arch) ? form.arch : '';
  return { ...form, pool, networkName, networkKind, arch, machine: arch === form.arch ? form.machine : '' };
}

export const copiesOf = (form: WizardForm): number => {
  const n = Number(form.copies);
  return Number.isInteger(n) && n >= 1 ? n : 1;
};

/** The pages this form goes through; customize only when asked for. */
export const pagesOf = (form: WizardForm): WizardPage[] => ['method', 'source', 'resources', 'storage', 'summary', ...(form.customize ? (['customize'] as const) : [])];

/** Whether the method always makes a new disk in a pool (an overlay, or room for the installer). */
export function needsPool(form: WizardForm): boolean {
  return form.method === 'cloud-image' || form.method === 'network' || (form.method === 'import' && copiesOf(form) > 1);
}

/** The storage choice in effect: what the method allows. */
export function effectiveStorage(form: WizardForm): StorageChoice {
  if (needsPool(form)) return 'new';
  if (form.method === 'import') return 'none';
  return form.storage;
}

const trimmed = (s: string) => s.trim();
const optional = (s: string) => (s.trim() === '' ? undefined : s.trim());
/** A number as typed; anything else is 0, which the backend refuses naming the field (localError says it first). */
const number = (s: string) => {
  const n = s.trim() === '' ? NaN : Number(s);
  return Number.isFinite(n) ? n : 0;
};

function installOf(form: WizardForm): WizardInstall {
  switch (form.method) {
    case 'iso':
      return { kind: 'iso', path: trimmed(form.isoPath) };
    case 'network':
      return { kind: 'network', ...(optional(form.treeUrl) && { url: optional(form.treeUrl) }), ...(optional(form.treeArgs) && { extraArgs: optional(form.treeArgs) }) };
    case 'import':
      return { kind: 'import', path: trimmed(form.importPath) };
    case 'pxe':
      return { kind: 'pxe' };
    case 'manual':
      return { kind: 'manual' };
    case 'kernel':
      return {
        kind: 'kernel',
        kernel: trimmed(form.kernel),
        ...(optional(form.initrd) && { initrd: optional(form.initrd) }),
        ...(optional(form.cmdline) && { cmdline: optional(form.cmdline) }),
      };
    case 'cloud-image': {
      const keys = form.ciKeys
        .split('\n')
        .map((k) => k.trim())
        .filter(Boolean);
      const user = optional(form.ciUser) && {
        name: trimmed(form.ciUser),
        ...(form.ciPassword !== '' && { password: form.ciPassword }),
        ...(keys.length > 0 && { sshKeys: keys }),
      };
      return {
        kind: 'cloud-image',
        image: trimmed(form.cloudImage),
        cloudInit: {
          ...(optional(form.ciHostname) && { hostname: optional(form.ciHostname) }),
          ...(form.ciCustom ? { customUserData: form.ciUserData } : user ? { user } : {}),
        },
      };
    }
  }
}

function networkOf(form: WizardForm): WizardNetwork {
  switch (form.networkKind) {
    case 'network':
      return { kind: 'network', network: form.networkName };
    case 'bridge':
      return { kind: 'bridge', bridge: trimmed(form.bridgeName) };
    case 'user':
      return { kind: 'user' };
    case 'none':
      return { kind: 'none' };
  }
}

/** The plan (and copies) the backend checks and creates. */
export function planOf(form: WizardForm): { plan: WizardPlan; copies?: WizardCopies } {
  const count = copiesOf(form);
  const storage = effectiveStorage(form);
  const gib = number(form.diskGiB);
  const plan: WizardPlan = {
    name: trimmed(form.name),
    ...(form.os && { osId: form.os.id }),
    ...(form.arch && { arch: form.arch }),
    ...(form.machine && { machine: form.machine }),
    ...(form.virtType && { virtType: form.virtType }),
    memoryMiB: number(form.memoryMiB),
    vcpus: number(form.vcpus),
    install: installOf(form),
    ...(storage === 'new' && { disk: { pool: form.pool, sizeMiB: Math.round(gib * 1024), format: form.diskFormat } }),
    ...(storage === 'existing' && { existingDisk: { path: trimmed(form.existingPath) } }),
    network: networkOf(form),
    start: form.start,
  };
  return count > 1 ? { plan, copies: { count, namePattern: trimmed(form.name) } } : { plan };
}

const positive = (s: string, whole: boolean) => {
  const n = Number(s);
  return s.trim() !== '' && Number.isFinite(n) && n > 0 && (!whole || Number.isInteger(n));
};

/** What can be said about a page's numbers without asking the backend. */
export function localError(form: WizardForm, page: WizardPage): WizardFieldError | null {
  const error = (field: string, message: string): WizardFieldError => ({ page, field, message });
  if (page === 'resources') {
    if (!positive(form.memoryMiB, true)) return error('memoryMiB', 'enter the memory size as a whole number of MiB');
    if (!positive(form.vcpus, true)) return error('vcpus', 'enter the number of virtual CPUs');
  }
  if (page === 'storage' && effectiveStorage(form) === 'new') {
    if (!positive(form.diskGiB, false)) return error('disk.sizeMiB', 'enter the disk size in GiB');
    if (!form.pool) return error('disk.pool', 'choose a storage pool (the connection has no active one)');
  }
  if (page === 'summary') {
    const count = Number(form.copies);
    if (!Number.isInteger(count) || count < 1 || count > MAX_COPIES) return error('count', `the number of VMs must be a whole number from 1 to ${MAX_COPIES}`);
  }
  return null;
}

/** A template's settings in the form (name and what the page cannot show are kept from `form`). */
export function formFromTemplate(form: WizardForm, plan: WizardTemplatePlan): WizardForm {
  const next: WizardForm = {
    ...form,
    arch: plan.arch ?? '',
    machine: plan.machine ?? '',
    virtType: plan.virtType ?? '',
    method: plan.install.kind,
    memoryMiB: String(plan.memoryMiB),
    vcpus: String(plan.vcpus),
    sizesTouched: true,
    start: plan.start !== false,
    osAuto: false,
    // Until the wizard looks it up in the catalogue: the id stands for the name.
    os: plan.osId ? { id: plan.osId, shortId: plan.osId, name: plan.osId, version: null, vendor: null, family: null, releaseDate: null, eol: false, hasTree: false } : null,
  };
  const install = plan.install;
  switch (install.kind) {
    case 'iso':
      next.isoPath = install.path;
      break;
    case 'network':
      next.treeUrl = install.url ?? '';
      next.treeArgs = install.extraArgs ?? '';
      break;
    case 'import':
      next.importPath = install.path;
      break;
    case 'kernel':
      next.kernel = install.kernel;
      next.initrd = install.initrd ?? '';
      next.cmdline = install.cmdline ?? '';
      break;
    case 'cloud-image':
      next.cloudImage = install.image;
      next.ciHostname = install.cloudInit.hostname ?? '';
      next.ciUser = install.cloudInit.user?.name ?? '';
      next.ciPassword = '';
      next.ciKeys = (install.cloudInit.user?.sshKeys ?? []).join('\n');
      next.ciCustom = install.cloudInit.customUserData !== undefined;
      next.ciUserData = install.cloudInit.customUserData ?? form.ciUserData;
      break;
    case 'pxe':
    case 'manual':
      break;
  }
  if (plan.disk) {
    next.storage = 'new';
    next.pool = plan.disk.pool;
    next.diskGiB = formatGiB(plan.disk.sizeMiB);
    next.diskFormat = plan.disk.format ?? 'qcow2';
  } else if (plan.existingDisk) {
    next.storage = 'existing';
    next.existingPath = plan.existingDisk.path;
  } else {
    next.storage = 'none';
  }
  const network = plan.network;
  next.networkKind = network.kind;
  if (network.kind === 'network') next.networkName = network.network;
  if (network.kind === 'bridge') next.bridgeName = network.bridge;
  return next;
}

/** MiB as GiB for the size field: 20480 → "20", 1536 → "1.5". */
export const formatGiB = (mib: number): string => String(Math.round((mib / 1024) * 100) / 100);

/** "512 MiB", "1.5 GiB" */
export const describeMiB = (mib: number): string => (mib >= 1024 ? `${formatGiB(mib)} GiB` : `${mib} MiB`);

/** The names the copies will get, for the summary ("web-1, web-2, … web-10"). */
export function copyNamesPreview(form: WizardForm): string {
  const count = copiesOf(form);
  const pattern = trimmed(form.name);
  if (count === 1) return pattern;
  const name = (n: number) => pattern.replaceAll('{n}', String(n));
  return count <= 3 ? Array.from({ length: count }, (_, i) => name(i + 1)).join(', ') : `${name(1)}, ${name(2)}, … ${name(count)}`;
}

/** When copies are asked for and the name has no {n} yet: "web" → "web-{n}". */
export const withCopyNumber = (name: string): string => (name.includes('{n}') || name.trim() === '' ? name : `${name.trim()}-{n}`);

const STAGE_SHARE: Record<WizardProgress['stage'], number> = { disk: 0, seed: 0.3, installer: 0.4, define: 0.7, start: 0.85, rollback: 1 };

/** How far a creation is, 0..1: VMs done plus where the current one is (bytes moved within its stage). */
export function progressFraction(progress: WizardProgress | null): number {
  if (!progress) return 0;
  if (progress.stage === 'rollback') return 1;
  const base = STAGE_SHARE[progress.stage];
  const next = Object.values(STAGE_SHARE).find((share) => share > base) ?? 1;
  const bytes = progress.bytes?.total ? Math.min(1, progress.bytes.done / progress.bytes.total) : 0;
  return Math.min(1, (progress.index + base + (next - base) * bytes) / progress.count);
}

/** A VM name as typed is plausible (the backend has the last word): for live hints only. */
export const plausibleName = (name: string): boolean => /^[A-Za-z0-9][A-Za-z0-9._+{}-]{0,63}$/.test(name.trim());

export function describeMethod(kind: InstallKind): string {
  return INSTALL_METHODS.find((m) => m.kind === kind)?.label ?? kind;
}
