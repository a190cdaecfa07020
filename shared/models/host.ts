/** Whether KVM hardware acceleration can be used on a connection's host, and why not. */
export interface HostAcceleration {
  /** KVM guests can be expected to run; otherwise guests run under software emulation (TCG). */
  usable: boolean;
  /**
   * How it was found out: 'local' read this machine's CPU flags and /dev/kvm besides libvirt's
   * capabilities; 'remote' has only the capabilities; 'not-applicable' for drivers without
   * hardware virtualisation (the test driver, LXC).
   */
  checkedBy: 'local' | 'remote' | 'not-applicable';
  /** vmx (Intel VT-x) or svm (AMD-V) in the CPU flags; null when not seen or not checked. */
  cpuExtension: 'vmx' | 'svm' | null;
  kvmDevice: 'present' | 'missing' | 'no-access' | 'unknown';
  /** libvirt's capabilities offer <domain type='kvm'>. */
  libvirtOffersKvm: boolean;
  /** One or two sentences for the user: what works, or what is wrong and how to fix it. */
  explanation: string;
}

export interface HostSummary {
  connectionId: string;
  uri: string;
  hostname: string;
  hypervisor: string;
  hypervisorVersion: number;
  libvirtVersion: number;
  cpuModel: string;
  cpus: number;
  cpuMhz: number;
  memoryKiB: number;
  freeMemoryBytes: number;
  encrypted: boolean;
  secure: boolean;
  acceleration: HostAcceleration;
}

/** libvirt packs versions as major * 1 000 000 + minor * 1000 + micro. */
export function formatLibvirtVersion(packed: number): string {
  if (!Number.isFinite(packed) || packed <= 0) return 'unknown';
  return `${Math.floor(packed / 1_000_000)}.${Math.floor(packed / 1000) % 1000}.${packed % 1000}`;
}
