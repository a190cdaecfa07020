// qemu+ssh:// through the loopback sshd of scripts/lab-sshd.sh, against the lab's libvirtd.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectionHandle, drainBatch, loadBinding } from '../index.js';
import { noDaemon } from './support.js';

const lv = loadBinding();
const keyfile = join(process.cwd(), '.lab', 'ssh', 'client_key');
const remoteUri = `qemu+ssh://root@127.0.0.1:${process.env.SSH_LAB_PORT ?? 2222}/system?keyfile=${keyfile}&no_verify=1`;

const uuids = async (c: ConnectionHandle) => (await drainBatch(await lv.listAllDomains(c))).map((d) => d.uuid).toSorted();

describe.skipIf(noDaemon)('remote connection over qemu+ssh (lab sshd on 127.0.0.1)', () => {
  let remote: ConnectionHandle;
  let local: ConnectionHandle;
  beforeAll(async () => {
    if (!existsSync(keyfile)) throw new Error(`${keyfile} missing: run bash scripts/lab-sshd.sh start`);
    remote = await lv.open(remoteUri);
    local = await lv.open('qemu:///system');
  });
  afterAll(async () => {
    await lv.close(remote);
    await lv.close(local);
  });

  it('is a remote, alive connection to the same host', async () => {
    const info = await lv.connectInfo(remote);
    expect(info.uri).toMatch(/^qemu\+ssh:\/\//);
    expect(info.alive).toBe(true);
    expect(info.hostname).toBe((await lv.connectInfo(local)).hostname);
  });

  it('lists the same domains as the local connection', async () => {
    expect(await uuids(remote)).toEqual(await uuids(local));
  });

  it('fails with a specific error for a host key it cannot use', async () => {
    const bad = remoteUri.replace('client_key', 'no_such_key');
    await expect(lv.open(bad)).rejects.toMatchObject({ code: expect.stringMatching(/^VIR_ERR_/) });
  });
});
