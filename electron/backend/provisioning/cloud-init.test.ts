import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CloudInitError, createSeedIso, renderUserData, validateCloudInit } from './cloud-init.js';

const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop';

function isoFile(iso: string, name: string): string {
  return execFileSync('isoinfo', ['-R', '-i', iso, '-x', `/${name}`], { encoding: 'utf8' });
}

describe('cloud-init seed', () => {
  it('builds a NoCloud ISO labelled cidata with user, hashed password, key and hostname', async () => {
    const iso = join(mkdtempSync(join(tmpdir(), 'vireo-ci-')), 'seed.iso');
    await createSeedIso({ hostname: 'web-1', instanceId: 'i-1', user: { name: 'alice', password: 's3cret', sshKeys: [key] } }, iso);
    const pvd = execFileSync('isoinfo', ['-d', '-i', iso], { encoding: 'utf8' });
    expect(pvd).toMatch(/Volume id: cidata/);
    const userData = isoFile(iso, 'user-data');
    expect(userData.startsWith('#cloud-config\n')).toBe(true);
    expect(userData).toContain('hostname: "web-1"');
    expect(userData).toContain('- name: "alice"');
    expect(userData).toContain(JSON.stringify(key));
    expect(userData).toMatch(/passwd: "\$6\$[^"]+"/);
    expect(userData).not.toContain('s3cret');
    expect(isoFile(iso, 'meta-data')).toBe('instance-id: "i-1"\nlocal-hostname: "web-1"\n');
  });

  it('uses custom user-data as given', async () => {
    const custom = '#cloud-config\nruncmd:\n  - echo hi\n';
    expect(await renderUserData({ hostname: 'h', customUserData: custom })).toBe(custom);
  });

  it.each([
    [{ hostname: 'bad_host!' }, 'hostname', /not a valid host name/],
    [{ hostname: 'h', user: { name: 'Bob' , password: 'x' } }, 'user.name', /not a valid user name/],
    [{ hostname: 'h', user: { name: 'root', password: 'x' } }, 'user.name', /other than root/],
    [{ hostname: 'h', user: { name: 'bob', sshKeys: ['not a key'] } }, 'user.sshKeys[0]', /not an OpenSSH public key/],
    [{ hostname: 'h', user: { name: 'bob' } }, 'user', /needs a password or an SSH key/],
    [{ hostname: 'h', customUserData: 'runcmd: []' }, 'customUserData', /must start with #cloud-config/],
  ])('rejects bad input with a specific error (%#)', (spec, field, message) => {
    let err: unknown;
    try {
      validateCloudInit(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CloudInitError);
    expect((err as CloudInitError).field).toBe(field);
    expect((err as CloudInitError).message).toMatch(message);
  });
});
