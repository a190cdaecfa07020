// The New-VM wizard's data as it crosses the API: the plan the wizard collects (the backend's VmPlan
// from electron/backend/provisioning/plan.ts, plus an existing disk to attach), what each page shows,
// and the progress and outcome of a creation. Schemas check types and bounds only: whether a name is
// valid or taken, whether sizes fit the host, is answered per page by 'wizard.validate'.
import { z } from 'zod';

/** The wizard's pages, in order; 'customize' only when "Customize configuration before install" is ticked. */
export const WIZARD_PAGES = ['method', 'source', 'resources', 'storage', 'summary', 'customize'] as const;
export type WizardPage = (typeof WIZARD_PAGES)[number];

export const INSTALL_KINDS = ['iso', 'network', 'import', 'pxe', 'manual', 'kernel', 'cloud-image'] as const;
export type InstallKind = (typeof INSTALL_KINDS)[number];

/** A path as typed; whether it is given and absolute is checked with the page it is on ('wizard.validate'). */
const pathText = (what: string) =>
  z
    .string({ error: `${what} must be a path` })
    .trim()
    .max(4096, `${what} is too long`)
    .refine((p) => !p.includes('\0'), `${what} must not contain NUL characters`);

const text = (what: string, max: number) => z.string({ error: `${what} must be text` }).max(max, `${what} must be at most ${max} characters`);

export const cloudInitChoiceSchema = z.strictObject({
  hostname: text('the host name', 253).optional(),
  instanceId: text('the instance id', 128).optional(),
  user: z
    .strictObject({
      name: text('the user name', 64),
      password: text('the password', 1024).optional(),
      sshKeys: z.array(text('an SSH key', 16 * 1024), { error: 'sshKeys must be a list of keys' }).max(32, 'at most 32 SSH keys').optional(),
    })
    .optional(),
  customUserData: text('the user-data', 256 * 1024).optional(),
});

export const installMethodSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('iso'), path: pathText('the ISO or CD-ROM path') }),
    z.strictObject({ kind: z.literal('network'), url: text('the install tree URL', 2048).optional(), extraArgs: text('the kernel arguments', 4096).optional() }),
    z.strictObject({ kind: z.literal('import'), path: pathText('the disk image path') }),
    z.strictObject({ kind: z.literal('pxe') }),
    z.strictObject({ kind: z.literal('manual') }),
    z.strictObject({
      kind: z.literal('kernel'),
      kernel: pathText('the kernel path'),
      initrd: pathText('the initrd path').optional(),
      cmdline: text('the kernel command line', 4096).optional(),
    }),
    z.strictObject({ kind: z.literal('cloud-image'), image: pathText('the cloud image path'), cloudInit: cloudInitChoiceSchema }),
  ],
  { error: `install.kind must be one of ${INSTALL_KINDS.join(', ')}` },
);
export type WizardInstall = z.infer<typeof installMethodSchema>;

const whole = (what: string) => z.number({ error: `${what} must be a number` }).finite(`${what} must be a number`);

export const networkChoiceSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('network'), network: text('the network name', 255).min(1, 'choose a virtual network') }),
    z.strictObject({ kind: z.literal('bridge'), bridge: text('the bridge name', 64).min(1, 'enter the bridge name') }),
    z.strictObject({ kind: z.literal('user') }),
    z.strictObject({ kind: z.literal('none') }),
  ],
  { error: 'network.kind must be network, bridge, user or none' },
);
export type WizardNetwork = z.infer<typeof networkChoiceSchema>;

export const wizardPlanSchema = z.strictObject({
  /** The VM's name; with copies, the name pattern ("web-{n}"). */
  name: text('the name', 200),
  osId: text('the OS id', 300).min(1).optional(),
  arch: z.string().regex(/^[a-z0-9_]{1,32}$/, 'arch must be an architecture name such as x86_64').optional(),
  machine: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'machine must be a machine type such as q35').optional(),
  virtType: z.enum(['kvm', 'qemu'], { error: 'virtType must be kvm or qemu' }).optional(),
  memoryMiB: whole('memoryMiB'),
  vcpus: whole('vcpus'),
  install: installMethodSchema,
  /** A new volume in a storage pool. */
  disk: z
    .strictObject({
      pool: text('the pool name', 255).min(1, 'choose a storage pool'),
      sizeMiB: whole('the disk size'),
      format: z.enum(['qcow2', 'raw'], { error: 'format must be qcow2 or raw' }).optional(),
    })
    .optional(),
  /** An existing volume or image file attached as the VM's disk (instead of a new one). */
  existingDisk: z.strictObject({ path: pathText('the disk path') }).optional(),
  network: networkChoiceSchema,
  graphics: z.boolean({ error: 'graphics must be true or false' }).optional(),
  start: z.boolean({ error: 'start must be true or false' }).optional(),
});
export type WizardPlan = z.infer<typeof wizardPlanSchema>;
/** A saved template: a plan without the name. */
export const templatePlanSchema = wizardPlanSchema.omit({ name: true });
export type WizardTemplatePlan = z.infer<typeof templatePlanSchema>;

export const MAX_COPIES = 100;
export const copiesSchema = z.strictObject({
  count: z.number({ error: 'count must be a number' }).int('count must be a whole number').min(1, 'count must be at least 1').max(MAX_COPIES, `count must be at most ${MAX_COPIES}`),
  /** Every {n} becomes the copy's number: "web-{n}" gives web-1, web-2... */
  namePattern: text('the name pattern', 200),
});
export type WizardCopies = z.infer<typeof copiesSchema>;

// ---- answers

/** A problem with what the user entered, on the page where it is entered. */
export interface WizardFieldError {
  page: WizardPage;
  /** The plan field at fault ('name', 'install.path', 'disk.sizeMiB', 'xml'...). */
  field: string;
  message: string;
}

export type WizardCheck = { ok: true; warnings: string[] } | { ok: false; error: WizardFieldError };

export interface WizardArch {
  arch: string;
  /** Accelerators libvirt offers for it ('qemu' = TCG); the test driver offers neither and gets 'qemu'. */
  virtTypes: ('kvm' | 'qemu')[];
  /** Machine types, aliases (pc, q35) first; empty where the driver names none. */
  machines: string[];
}

export interface WizardPool {
  name: string;
  /** dir, fs, logical, disk, iscsi... */
  type: string;
  active: boolean;
  capacityMiB: number;
  availableMiB: number;
  /** Where its volumes live (dir pools: a directory). */
  targetPath: string | null;
}

export interface WizardVolume {
  name: string;
  path: string;
  type: 'file' | 'block' | 'dir' | 'network' | 'other';
  capacityMiB: number;
  allocationMiB: number;
  /** qcow2, raw, iso... as libvirt reports it. */
  format: string | null;
}

export interface WizardEnvironment {
  connectionId: string;
  uri: string;
  /** Paths can be checked and browsed from here (a local daemon). */
  local: boolean;
  hostArch: string;
  host: { memoryMiB: number; cpus: number };
  /** KVM is usable for the host's architecture; otherwise guests run under TCG ('qemu'). */
  kvmUsable: boolean;
  kvmExplanation: string;
  /** libvirt's default machine type for the host architecture, when it says. */
  defaultMachine: string | null;
  arches: WizardArch[];
  pools: WizardPool[];
  networks: { name: string; active: boolean; bridge: string | null }[];
  /** Host bridges (local connections). */
  bridges: string[];
}

export interface OsChoice {
  id: string;
  shortId: string;
  name: string;
  version: string | null;
  vendor: string | null;
  family: string | null;
  releaseDate: string | null;
  /** Past its end of life. */
  eol: boolean;
  /** osinfo-db knows an install tree URL for it (network install without a URL). */
  hasTree: boolean;
}

export type MediaInspection =
  | { ok: true; kind: 'iso'; volumeId: string; sizeMiB: number; os: OsChoice | null }
  | { ok: true; kind: 'image'; format: 'qcow2' | 'raw'; virtualSizeMiB: number }
  | { ok: false; error: WizardFieldError };

export interface WizardDefaults {
  memoryMiB: number;
  vcpus: number;
  diskMiB: number;
  /** What osinfo-db says the OS needs at least. */
  minimum: { memoryMiB?: number; vcpus?: number; diskMiB?: number };
  host: { memoryMiB: number; cpus: number };
}

export interface BrowseEntry {
  name: string;
  type: 'dir' | 'file' | 'block';
  /** Files only. */
  sizeBytes: number | null;
}

export interface BrowseListing {
  /** The folder listed; null: the list of roots. */
  path: string | null;
  /** The folder above, while still inside a root. */
  parent: string | null;
  roots: string[];
  entries: BrowseEntry[];
  /** More entries than are shown. */
  truncated: boolean;
}

export type WizardPreview = { ok: true; vmName: string; xml: string; warnings: string[] } | { ok: false; error: WizardFieldError };

export type CreateStageName = 'disk' | 'seed' | 'installer' | 'define' | 'start' | 'rollback';

export interface WizardProgress {
  operationId: string;
  connectionId: string;
  vm: string;
  /** The VM's position among the copies (0-based) and their count. */
  index: number;
  count: number;
  stage: CreateStageName;
  message: string;
  bytes?: { done: number; total?: number };
}

export interface WizardCreatedVm {
  name: string;
  uuid: string;
  volumes: string[];
  started: boolean;
}

export interface WizardFailure {
  /** The page to go back to. */
  page: WizardPage;
  field: string | null;
  message: string;
  /** Set when the failure came after something was created (and rolled back). */
  vm: string | null;
  stage: CreateStageName | null;
  /** What the rollback could not remove (empty: nothing was left behind). */
  rollbackFailures: string[];
}

export type WizardOutcome = { ok: true; vms: WizardCreatedVm[]; warnings: string[] } | { ok: false; error: WizardFailure };

export interface WizardOperation {
  operationId: string;
  connectionId: string;
  state: 'running' | 'done';
  /** The latest progress report. */
  progress: WizardProgress | null;
  outcome: WizardOutcome | null;
}

export interface WizardFinished {
  operationId: string;
  connectionId: string;
  outcome: WizardOutcome;
}

export interface WizardTemplate {
  name: string;
  savedAt: string;
  /** null when the saved plan is not one this version understands (problem says why). */
  plan: WizardTemplatePlan | null;
  problem: string | null;
}

/** Names of the copies: every {n} in the pattern becomes 1..count. */
export function expandCopyNames(pattern: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => pattern.replaceAll('{n}', String(i + 1)));
}
