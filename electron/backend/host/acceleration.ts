// Whether hardware virtualisation (KVM) can really be used on the host of a connection, and
// why not when it cannot: the question virt-manager users otherwise answer by reading logs.
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';

export interface AccelerationReport {
  /** KVM guests can be expected to run; otherwise guests should use type='qemu' (TCG). */
  usable: boolean;
  /** CPU virtualisation extension seen in the host's CPU flags (local hosts only). */
  cpuExtension: 'vmx' | 'svm' | null;
  kvmDevice: 'present' | 'missing' | 'no-access' | 'unknown';
  /** libvirt offers <domain type='kvm'> for this host's guests. */
  libvirtOffersKvm: boolean;
  explanation: string;
}

export interface ProbeSources {
  /** Host capabilities XML from the connection (getCapabilities). */
  capabilitiesXml: string;
  /** Local connections only: where to read CPU flags and find /dev/kvm. */
  local?: { cpuinfoPath?: string; kvmPath?: string };
}

async function cpuExtension(path: string): Promise<'vmx' | 'svm' | null> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const flags = text.split('\n').find((l) => l.startsWith('flags'));
  if (!flags) return null;
  const words = new Set(flags.split(/\s+/));
  return words.has('vmx') ? 'vmx' : words.has('svm') ? 'svm' : null;
}

async function kvmDevice(path: string): Promise<AccelerationReport['kvmDevice']> {
  const info = await stat(path).catch(() => null);
  if (!info) return 'missing';
  return access(path, constants.R_OK | constants.W_OK).then(
    () => 'present' as const,
    () => 'no-access' as const,
  );
}

export async function probeAcceleration(sources: ProbeSources): Promise<AccelerationReport> {
  const libvirtOffersKvm = /<domain\s+type=['"]kvm['"]/.test(sources.capabilitiesXml);
  if (!sources.local) {
    return {
      usable: libvirtOffersKvm,
      cpuExtension: null,
      kvmDevice: 'unknown',
      libvirtOffersKvm,
      explanation: libvirtOffersKvm
        ? 'The remote host offers KVM guests.'
        : 'The remote host does not offer KVM guests (no <domain type="kvm"> in its capabilities): guests run under software emulation (TCG), which is much slower.',
    };
  }
  const cpu = await cpuExtension(sources.local.cpuinfoPath ?? '/proc/cpuinfo');
  const device = await kvmDevice(sources.local.kvmPath ?? '/dev/kvm');
  const reasons: string[] = [];
  if (!cpu) {
    reasons.push(
      'the CPU does not advertise vmx (Intel VT-x) or svm (AMD-V): enable virtualisation in the firmware, or, inside a VM, enable nested virtualisation on its host',
    );
  }
  if (device === 'missing') reasons.push('/dev/kvm does not exist: load the kvm_intel or kvm_amd module');
  if (device === 'no-access') reasons.push('/dev/kvm is not readable and writable by this user: add the user to the kvm group');
  if (!libvirtOffersKvm) reasons.push("libvirt's capabilities offer no KVM domain type");
  const usable = reasons.length === 0;
  return {
    usable,
    cpuExtension: cpu,
    kvmDevice: device,
    libvirtOffersKvm,
    explanation: usable
      ? `KVM hardware acceleration is available (${cpu}).`
      : `KVM cannot be used: ${reasons.join('; ')}. Guests will run under software emulation (TCG), which is much slower.`,
  };
}
