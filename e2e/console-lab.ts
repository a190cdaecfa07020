// Tiny lab guests (scripts/tiny-guest-xml.sh) for the console tests and benchmarks: defined with
// a unique name, removed (destroy + undefine) by the caller's cleanup. Uses virsh, so it works
// from Playwright, vitest and the bench alike.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LAB_URI = 'qemu:///system';
const repo = fileURLToPath(new URL('..', import.meta.url));

export const virsh = (...args: string[]): string =>
  execFileSync('virsh', ['-c', LAB_URI, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });

/** The lab daemon answers and the tiny guest is built (bash scripts/lab.sh start). */
export function labReady(): boolean {
  if (!existsSync(join(repo, '.lab', 'guest', 'vmlinuz'))) return false;
  try {
    virsh('version');
    return true;
  } catch {
    return false;
  }
}

export interface GuestOptions {
  /** Name prefix; a random suffix is added. Default vireo-e2e. */
  prefix?: string;
  /** VNC password (passwd attribute). */
  vncPassword?: string;
  /** The graphics device: VNC (default), SPICE only, or none. */
  graphics?: 'vnc' | 'spice' | 'none';
  /** The display adapter: VGA (default) or virtio-gpu, which follows the size the viewer asks for. */
  video?: 'vga' | 'virtio';
  /** QEMU's clipboard agent channel, served by the guest's vdagent (see scripts/tiny-guest-xml.sh). */
  clipboardAgent?: boolean;
}

export function tinyGuestXml(name: string, options: GuestOptions = {}): string {
  const env = { ...process.env, VIDEO: options.video ?? 'vga', VDAGENT: options.clipboardAgent ? '1' : '0' };
  let xml = execFileSync('bash', [join(repo, 'scripts', 'tiny-guest-xml.sh'), name], { encoding: 'utf8', env });
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
  const xml = tinyGuestXml(name, options);
  // Node's stdin pipes are sockets, which virsh cannot open as /dev/stdin: a file it is.
  const dir = mkdtempSync(join(tmpdir(), 'vireo-guest-'));
  try {
    writeFileSync(join(dir, 'domain.xml'), xml);
    virsh('define', join(dir, 'domain.xml'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { name, uuid: virsh('domuuid', name).trim() };
}

/** Destroys and undefines; never throws (cleanup). */
export function removeGuest(name: string): void {
  for (const args of [['destroy', name], ['undefine', name]]) {
    try {
      virsh(...args);
    } catch {
      // not running / already gone
    }
  }
}

export function domState(name: string): string {
  return virsh('domstate', name).trim();
}
