// The libvirt lab (scripts/lab.sh: libvirtd on qemu:///system, the tiny TCG guest; scripts/
// lab-sshd.sh: sshd on 127.0.0.1:2222) as the tests and benchmarks use it: vitest, Playwright
// (whose process has no binding loaded: virsh does the work there) and bench/ alike. Guests get
// unique names and are removed by the caller's cleanup.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConnectionHandle, loadBinding } from '../../native/index.js';

export const LAB_URI = 'qemu:///system';
const REPO = join(import.meta.dirname, '..', '..');

/** VIREO_NO_DAEMON=1: no qemu:///system here; daemon suites skip and say so. */
export const noDaemon = process.env.VIREO_NO_DAEMON === '1';

/** A name no other test (or person) uses: vireo-<kind>-<random>. */
export const uniqueName = (kind: string) => `vireo-${kind}-${randomBytes(4).toString('hex')}`;

export function virsh(...args: string[]): string {
  return execFileSync('virsh', ['-c', LAB_URI, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

export interface GuestOptions {
  /** Name prefix for defineGuest; a random suffix is added. Default vireo-e2e. */
  prefix?: string;
  /** VNC password (passwd attribute). */
  vncPassword?: string;
  /** The graphics device: VNC (default), SPICE only, or none. */
  graphics?: 'vnc' | 'spice' | 'none';
  /** The display adapter: VGA (default) or virtio-gpu, which follows the size the viewer asks for. */
  video?: 'vga' | 'virtio';
  /** QEMU's clipboard agent channel, served by the guest's vdagent (see scripts/tiny-guest-xml.sh). */
  clipboardAgent?: boolean;
  /** tiny-guest-xml.sh's other knobs: DISK, NET, MEM_MIB... */
  env?: Record<string, string>;
}

/** The tiny guest's domain XML (scripts/tiny-guest-xml.sh). */
export function tinyGuestXml(name: string, options: GuestOptions = {}): string {
  const env = { ...process.env, ...options.env, VIDEO: options.video ?? 'vga', VDAGENT: options.clipboardAgent ? '1' : '0' };
  let xml = execFileSync('bash', [join(REPO, 'scripts', 'tiny-guest-xml.sh'), name], { encoding: 'utf8', env });
  const graphics = /<graphics type='vnc'[^>]*>[\s\S]*?<\/graphics>/;
  if (!graphics.test(xml)) throw new Error('tiny-guest-xml.sh no longer writes the VNC <graphics> this helper edits');
  if (options.graphics === 'spice') {
    xml = xml.replace(graphics, "<graphics type='spice' autoport='yes' listen='127.0.0.1'><listen type='address' address='127.0.0.1'/></graphics>");
  } else if (options.graphics === 'none') {
    xml = xml.replace(graphics, '');
  } else if (options.vncPassword !== undefined) {
    const escaped = options.vncPassword.replace(/&/g, '&amp;').replace(/'/g, '&apos;').replace(/</g, '&lt;');
    xml = xml.replace("<graphics type='vnc'", `<graphics type='vnc' passwd='${escaped}'`);
  }
  return xml;
}

export interface LabGuest {
  name: string;
  uuid: string;
}

/** Defines (does not start) a tiny guest with a unique name. */
export function defineGuest(options: GuestOptions = {}): LabGuest {
  const name = `${options.prefix ?? 'vireo-e2e'}-${randomBytes(4).toString('hex')}`;
  return { name, uuid: virshDefine(tinyGuestXml(name, options)) };
}

export function domState(name: string): string {
  return virsh('domstate', name).trim();
}

/** `virsh list --all` as name → state words ("running", "shut off"...). */
export function virshListAll(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of virsh('list', '--all').split('\n').slice(2)) {
    const match = /^\s*(\S+)\s+(\S+)\s+(.+?)\s*$/.exec(line);
    if (match) out.set(match[2]!, match[3]!);
  }
  return out;
}

/** virsh's words for our state names. */
export const VIRSH_STATE: Record<string, string> = {
  running: 'running',
  blocked: 'idle',
  paused: 'paused',
  shutdown: 'in shutdown',
  shutoff: 'shut off',
  crashed: 'crashed',
  pmsuspended: 'pmsuspended',
};

/** Destroys and undefines guests (with their saved state), on a fresh connection; never throws. */
export async function removeGuests(names: string[]): Promise<void> {
  const lv = loadBinding();
  const conn = await lv.open(LAB_URI).catch(() => null);
  if (!conn) return;
  for (const name of names) {
    await lv.domainDestroy(conn, name).catch(() => undefined);
    await lv.domainUndefine(conn, name, { managedSave: true, snapshotsMetadata: true }).catch(() => undefined);
  }
  await lv.close(conn).catch(() => undefined);
}

/** The loopback sshd's URI to this machine's libvirtd (scripts/lab-sshd.sh). */
export function labSshUri(): string {
  const dir = process.env.SSH_LAB_DIR ?? join(REPO, '.lab', 'ssh');
  const port = process.env.SSH_LAB_PORT ?? '2222';
  return `qemu+ssh://root@127.0.0.1:${port}/system?keyfile=${dir}/client_key&no_verify=1`;
}

export function startLabSshd(): void {
  execFileSync('bash', [join(REPO, 'scripts', 'lab-sshd.sh'), 'start'], { stdio: 'ignore' });
}

/** Defines a guest from XML with virsh (a temporary file: virsh cannot read a socket as /dev/stdin); returns its UUID. */
export function virshDefine(xml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vireo-define-'));
  try {
    writeFileSync(join(dir, 'domain.xml'), xml);
    const out = virsh('define', join(dir, 'domain.xml'));
    const name = /Domain '?([^' ]+)'? defined/.exec(out)?.[1];
    return virsh('domuuid', name ?? '').trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The lab daemon answers and the tiny guest is built. */
export function labReady(): boolean {
  if (noDaemon || !existsSync(join(REPO, '.lab', 'guest', 'vmlinuz'))) return false;
  try {
    virsh('version');
    return true;
  } catch {
    return false;
  }
}

/** Destroys and undefines with virsh (no binding needed: Playwright's process); never throws. */
export function removeGuest(name: string): void {
  for (const args of [['destroy', name], ['undefine', name, '--managed-save', '--snapshots-metadata']]) {
    try {
      virsh(...args);
    } catch {
      // not running / already gone
    }
  }
}

/** A Debian 11 network-install tree on loopback whose "installer" is the given kernel and initrd. */
export async function serveDebianTree(installer: { kernel: string; initrd: string }): Promise<{ url: string; close(): void }> {
  const treePath = '/debian/dists/bullseye/main/installer-amd64';
  const served: Record<string, string> = {
    [`${treePath}/current/images/netboot/debian-installer/amd64/linux`]: installer.kernel,
    [`${treePath}/current/images/netboot/debian-installer/amd64/initrd.gz`]: installer.initrd,
  };
  const server: Server = createServer((request, response) => {
    const file = served[request.url ?? ''];
    if (!file) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-length': statSync(file).size });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${treePath}`, close: () => server.close() };
}

export interface LabPool {
  name: string;
  /** Its folder (temporary). */
  dir: string;
  /** A new qcow2 volume in it; resolves its path. */
  qcow2(name: string, mib: number): Promise<string>;
  /** Deletes its volumes, the pool and the folder; never throws. */
  dispose(): Promise<void>;
}

/** A started directory pool of a test's own on the lab's libvirtd, in a temporary folder. */
export async function createLabPool(conn: ConnectionHandle, kind: string): Promise<LabPool> {
  const lv = loadBinding();
  const name = uniqueName(kind);
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  await lv.poolDefine(conn, `<pool type='dir'><name>${name}</name><target><path>${dir}</path></target></pool>`);
  await lv.poolStart(conn, name);
  return {
    name,
    dir,
    qcow2: async (volume, mib) =>
      (await lv.volCreate(conn, name, `<volume><name>${volume}</name><capacity unit='MiB'>${mib}</capacity><target><format type='qcow2'/></target></volume>`)).path,
    async dispose() {
      for (const volume of await lv.volList(conn, name).catch(() => [])) await lv.volDelete(conn, volume.key).catch(() => undefined);
      await lv.poolDestroy(conn, name).catch(() => undefined);
      await lv.poolUndefine(conn, name).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
