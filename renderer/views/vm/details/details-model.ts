// The Details tab's state outside React: the edited next-boot XML is one string (possibly not
// well-formed while the XML tab is being typed in), parsed on demand with shared/xml; edits parse,
// change the document in place and serialize, so whatever an edit does not touch stays as it was.
import { compareConfigs, planLive } from '../../../../shared/details/changes.js';
import { FIXED_PAGES, PAGE_LABELS, deviceLabel } from '../../../../shared/details/config.js';
import type { ConfigChange, DetailsIssue, VmDetails } from '../../../../shared/details/model.js';
import type { ApiErrorIssue } from '../../../../shared/models/error.js';
import { XmlSyntaxError } from '../../../../shared/xml/document.js';
import type { Device } from '../../../../shared/xml/devices.js';
import { DomainConfig, DomainConfigError } from '../../../../shared/xml/domain.js';

export type Parsed = { ok: true; config: DomainConfig } | { ok: false; issue: DetailsIssue };

export function parseWorking(xml: string): Parsed {
  try {
    return { ok: true, config: DomainConfig.parse(xml) };
  } catch (e) {
    if (e instanceof XmlSyntaxError) return { ok: false, issue: { subject: 'xml', message: e.reason, line: e.line, column: e.column } };
    if (e instanceof DomainConfigError) return { ok: false, issue: { subject: 'xml', message: e.message } };
    throw e;
  }
}

/**
 * Runs an edit on the document and returns the new XML; `follow`, when the edit returns a device,
 * is that device's id afterwards (ids follow the values they are made of, a MAC or a target).
 */
export function editXml(xml: string, change: (config: DomainConfig) => Device | void): { xml: string; follow: string | undefined } {
  const parsed = parseWorking(xml);
  if (!parsed.ok) return { xml, follow: undefined };
  const device = change(parsed.config);
  const follow = device ? parsed.config.devices().find((candidate) => candidate.element === device.element)?.id : undefined;
  return { xml: parsed.config.toXml(), follow };
}

/** Issues an 'invalid-input' error carried: path [subject] or [subject, line, column]. */
export function issuesFromError(issues: readonly ApiErrorIssue[] | undefined, message: string): DetailsIssue[] {
  if (!issues || issues.length === 0) return [{ subject: 'apply', message }];
  return issues.map((issue) => {
    const [subject, line, column] = issue.path;
    return {
      subject: String(subject ?? 'apply'),
      message: issue.message,
      ...(typeof line === 'number' && { line }),
      ...(typeof column === 'number' && { column }),
    };
  });
}

const PAGE_OF_SUBJECT: Readonly<Record<string, string>> = {
  name: 'overview',
  title: 'overview',
  description: 'overview',
  uuid: 'overview',
  os: 'overview',
  machine: 'overview',
  firmware: 'overview',
  memoryKiB: 'memory',
  currentMemoryKiB: 'memory',
  maxMemoryKiB: 'memory',
  sharedMemory: 'memory',
  vcpus: 'cpu',
  cpu: 'cpu',
  boot: 'boot',
  autostart: 'boot',
  kernel: 'boot',
  initrd: 'boot',
  cmdline: 'boot',
  dtb: 'boot',
  xml: 'xml',
};

/** The page an issue or change shows on; device ids are pages themselves. */
export function pageOf(subject: string): string {
  return PAGE_OF_SUBJECT[subject] ?? (subject.startsWith('vcpus') || subject.startsWith('cpu.') ? 'cpu' : /^[a-z]+(\[|#)/.test(subject) ? subject : 'overview');
}

export interface PageEntry {
  id: string;
  label: string;
  group: 'general' | 'devices';
}

/** Kinds listed in the sidebar, in virt-manager's order; others come after. */
const SIDEBAR_ORDER = ['disk', 'interface', 'input', 'graphics', 'sound', 'serial', 'parallel', 'console', 'channel', 'hostdev', 'redirdev', 'video', 'controller', 'filesystem', 'tpm', 'rng', 'watchdog', 'panic', 'memballoon'];

function sidebarRank(device: Device): number {
  const index = SIDEBAR_ORDER.indexOf(device.tag);
  return index < 0 ? SIDEBAR_ORDER.length : index;
}

export function pagesOf(config: DomainConfig | null): PageEntry[] {
  const fixed = FIXED_PAGES.map((id) => ({ id, label: PAGE_LABELS[id], group: 'general' as const }));
  if (config === null) return fixed;
  const devices = config
    .devices()
    .map((device, index) => ({ device, index }))
    .toSorted((a, b) => sidebarRank(a.device) - sidebarRank(b.device) || a.index - b.index)
    .map(({ device }) => ({ id: device.id, label: deviceLabel(device), group: 'devices' as const }));
  return [...fixed, ...devices];
}

/** What an apply would do, from the loaded next-boot XML to the edited one; for a running VM split into now and next boot. */
export function previewApply(details: VmDetails, working: DomainConfig, running: boolean): { now: ConfigChange[]; nextBoot: ConfigChange[] } {
  const base = DomainConfig.parse(details.inactiveXml);
  const changes = compareConfigs(base, working);
  if (!running) return { now: [], nextBoot: changes };
  const { actions, nextBoot } = planLive(changes, working, base);
  return { now: actions.map((action) => action.change), nextBoot };
}

/** A change as one line for people. */
export function describeChange(change: ConfigChange): string {
  if (change.kind === 'added') return `${change.label}: added`;
  if (change.kind === 'removed') return `${change.label}: removed`;
  return `${change.label}: ${change.before ?? ''} → ${change.after ?? ''}`;
}

export const MIB = 1024;

/** Whole MiB from text, or undefined for anything else. */
export function parseMiB(text: string): number | undefined {
  const trimmed = text.trim();
  return /^[0-9]+$/.test(trimmed) ? Number(trimmed) : undefined;
}
