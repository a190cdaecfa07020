// NoCloud seed ISOs for cloud images: user, password, SSH keys, hostname, or the user's own
// user-data. Inputs are checked here so a bad key or hostname is reported before any VM or
// volume exists.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CloudInitSpec {
  hostname: string;
  /** Instance id; a new one makes cloud-init run again on an existing disk. */
  instanceId?: string;
  user?: { name: string; password?: string; sshKeys?: string[] };
  /** The user's own #cloud-config (or script); replaces the generated user-data. */
  customUserData?: string;
}

export class CloudInitError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'CloudInitError';
  }
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const USERNAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const SSH_KEY = /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$/;

export function validateCloudInit(spec: CloudInitSpec): void {
  if (!HOSTNAME.test(spec.hostname)) {
    throw new CloudInitError('hostname', `"${spec.hostname}" is not a valid host name (letters, digits and hyphens, dot-separated labels of at most 63 characters)`);
  }
  if (spec.customUserData !== undefined) {
    if (!/^(#cloud-config|#!|#include|Content-Type: multipart)/.test(spec.customUserData)) {
      throw new CloudInitError('customUserData', 'custom user-data must start with #cloud-config, #! (a script), #include or be a MIME multipart message');
    }
    return;
  }
  const user = spec.user;
  if (!user) return;
  if (!USERNAME.test(user.name)) {
    throw new CloudInitError('user.name', `"${user.name}" is not a valid user name (lower-case letters, digits, _ and -, starting with a letter or _, at most 32 characters)`);
  }
  if (user.name === 'root') throw new CloudInitError('user.name', 'choose a user other than root; cloud images lock root logins');
  user.sshKeys?.forEach((key, i) => {
    if (!SSH_KEY.test(key.trim())) throw new CloudInitError(`user.sshKeys[${i}]`, `SSH key ${i + 1} is not an OpenSSH public key ("ssh-ed25519 AAAA... comment")`);
  });
  if (!user.password && !user.sshKeys?.length) {
    throw new CloudInitError('user', `user "${user.name}" needs a password or an SSH key, or nobody could log in`);
  }
}

/** SHA-512 crypt, so the seed never carries the password in clear text. */
async function hashPassword(password: string): Promise<string> {
  const child = execFile('openssl', ['passwd', '-6', '-stdin']);
  child.stdin?.end(password);
  const out = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text.trim()) : reject(new Error(`openssl passwd exited with ${code}`))));
  });
  return out;
}

/** YAML double-quoted scalar: JSON strings are valid YAML. */
const yamlString = (s: string): string => JSON.stringify(s);

export async function renderUserData(spec: CloudInitSpec): Promise<string> {
  validateCloudInit(spec);
  if (spec.customUserData !== undefined) return spec.customUserData;
  const lines = ['#cloud-config', `hostname: ${yamlString(spec.hostname)}`, 'preserve_hostname: false'];
  const user = spec.user;
  if (user) {
    lines.push('users:', `  - name: ${yamlString(user.name)}`, '    groups: [sudo]', '    shell: /bin/bash', "    sudo: 'ALL=(ALL) NOPASSWD:ALL'");
    if (user.password) lines.push(`    passwd: ${yamlString(await hashPassword(user.password))}`, '    lock_passwd: false');
    if (user.sshKeys?.length) {
      lines.push('    ssh_authorized_keys:', ...user.sshKeys.map((k) => `      - ${yamlString(k.trim())}`));
    }
    lines.push(`ssh_pwauth: ${user.password ? 'true' : 'false'}`);
  }
  return lines.join('\n') + '\n';
}

export function renderMetaData(spec: CloudInitSpec): string {
  return `instance-id: ${yamlString(spec.instanceId ?? `vireo-${spec.hostname}-${Date.now()}`)}\nlocal-hostname: ${yamlString(spec.hostname)}\n`;
}

/** Writes a NoCloud seed ISO (volume label "cidata") to `isoPath`. */
export async function createSeedIso(spec: CloudInitSpec, isoPath: string): Promise<void> {
  const userData = await renderUserData(spec);
  const dir = await mkdtemp(join(tmpdir(), 'vireo-seed-'));
  try {
    await writeFile(join(dir, 'user-data'), userData);
    await writeFile(join(dir, 'meta-data'), renderMetaData(spec));
    await run('genisoimage', ['-quiet', '-output', isoPath, '-volid', 'cidata', '-joliet', '-rock', join(dir, 'user-data'), join(dir, 'meta-data')]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
