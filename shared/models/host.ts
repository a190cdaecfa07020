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
}
