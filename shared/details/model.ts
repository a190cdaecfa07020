/**
 * What the VM details view (the VM window's Details tab) gets from the backend and sends to it.
 * XML is the source of truth: the view edits the inactive (next-boot) XML in place with
 * shared/xml and sends the edited document back; these types carry it and what surrounds it.
 */
import type { VmState } from '../models/vm.js';

/** A difference between two configurations, grouped by the details page it shows on. */
export interface ConfigChange {
  /** 'overview' | 'cpu' | 'memory' | 'boot', or a device id such as 'disk[vda]' (shared/xml deviceIds). */
  page: string;
  /** What changed: a setting ('currentMemoryKiB', 'vcpus.current'...) or the device id. */
  subject: string;
  kind: 'changed' | 'added' | 'removed';
  /** What it is, for people: 'Current memory', 'VirtIO Disk vda'. */
  label: string;
  /** Values as shown to people (for a device: the settings that changed). */
  before?: string;
  after?: string;
  /** For a changed device: the typed fields (shared/xml DEVICE_FIELDS) that differ; empty when only other XML did. */
  fields?: string[];
}

export interface DetailsHost {
  /** The host's RAM (nodeInfo). */
  memoryKiB: number;
  cpus: number;
  /** The connection reaches this machine's daemon: disk paths can be checked on the local file system. */
  local: boolean;
  hypervisor: string;
}

/** What virConnectGetDomainCapabilities says about the VM's emulator, machine and arch; null where the driver has none. */
export interface DetailsCapabilities {
  maxVcpus: number | null;
  cpuModes: { hostPassthrough: boolean; hostModel: boolean; maximum: boolean; custom: boolean };
  /** Named CPU models the host can run (usable ones first). */
  cpuModels: string[];
  /** Firmware the emulator offers through autoselection. */
  firmwares: Array<'bios' | 'efi'>;
  diskBuses: string[];
  videoModels: string[];
  graphicsTypes: string[];
  hostdevTypes: string[];
  tpmModels: string[];
  rngModels: string[];
  filesystemDrivers: string[];
}

export interface VmDetails {
  connectionId: string;
  uuid: string;
  name: string;
  state: VmState;
  persistent: boolean;
  autostart: boolean;
  /** The persistent definition (what the next boot uses), secure (passwords included) when allowed. */
  inactiveXml: string;
  /** The running configuration; null while the VM is shut off. */
  liveXml: string | null;
  /** Running VM: how the next boot differs from now (live → next boot). */
  pending: ConfigChange[];
  host: DetailsHost;
  capabilities: DetailsCapabilities | null;
  /** The OS named by libosinfo metadata, with osinfo-db's name when known. */
  os: { id: string; name: string | null } | null;
}

/** Why an apply was refused, for the field or device it is about. */
export interface DetailsIssue {
  /** A setting ('memoryKiB', 'name', 'xml'), or a device id ('disk[vdb]'). */
  subject: string;
  message: string;
  /** For XML errors: where. */
  line?: number;
  column?: number;
}

export interface ApplyOutcome {
  /** Changes that reached the running VM now. */
  appliedLive: ConfigChange[];
  /** Live changes libvirt refused, with its reason; they take effect at the next boot. */
  liveFailures: Array<{ change: ConfigChange; message: string }>;
  /** The VM as libvirt has it now (reloaded after the apply). */
  details: VmDetails;
}

/** What the Add Hardware dialog offers to choose from on the VM's host. */
export interface HostResources {
  networks: Array<{ name: string; active: boolean; bridge: string | null }>;
  pools: Array<{ name: string; active: boolean; volumes: Array<{ name: string; path: string; capacity: number; type: number }> }>;
  /** Host network interfaces (node devices with the 'net' capability), for bridge and macvtap. */
  interfaces: string[];
  pci: HostDevice[];
  usb: HostDevice[];
}

export interface HostDevice {
  /** The node device name, e.g. pci_0000_00_1f_2 or usb_1_2. */
  name: string;
  /** '0000:00:1f.2' or 'Bus 001 Device 002'. */
  address: string;
  vendor: string | null;
  product: string | null;
  vendorId: string | null;
  productId: string | null;
  /** PCI: domain, bus, slot, function as 0x... strings; USB: bus and device numbers. */
  pci?: { domain: string; bus: string; slot: string; function: string };
  usb?: { bus: string; device: string };
}

/** The addresses a running VM's network interface has, as the host knows them. */
export interface NicAddresses {
  mac: string;
  /** From the virtual network's DHCP leases, else the host's ARP table. */
  addresses: Array<{ address: string; prefix: number; source: 'lease' | 'arp' }>;
}
