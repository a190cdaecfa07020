// Resource defaults and limits against the host the test driver describes (16 CPUs, 3 GiB).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectionHandle, type NodeInfo, loadBinding } from '../../../native/index.js';
import { type OsCatalogue, loadOsCatalogue } from './osinfo.js';
import { GENERIC_RESOURCES, ResourceError, checkResources, defaultResources } from './resources.js';

const lv = loadBinding();

function resourceError(call: () => unknown): ResourceError {
  let error: unknown;
  try {
    call();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ResourceError);
  return error as ResourceError;
}

describe('VM resources (test driver host)', () => {
  let conn: ConnectionHandle;
  let host: NodeInfo;
  let catalogue: OsCatalogue;
  beforeAll(async () => {
    conn = await lv.open('test:///default');
    host = await lv.nodeInfo(conn);
    catalogue = await loadOsCatalogue();
  });
  afterAll(async () => {
    await lv.close(conn);
  });

  it('describes the host the tests assume', () => {
    expect(host).toMatchObject({ cpus: 16, memoryKiB: 3 * 1024 * 1024 });
  });

  it("starts from the OS's recommended sizes", () => {
    // Debian 11 recommends 1 GiB and 20 GiB; it names no CPU count beyond its minimum of 1.
    expect(defaultResources(host, 'x86_64', { catalogue, os: catalogue.require('debian11') })).toEqual({
      memoryMiB: 1024,
      vcpus: 1,
      diskMiB: 20 * 1024,
      minimum: { memoryMiB: 1024, vcpus: 1, diskMiB: 10 * 1024 },
    });
  });

  it('keeps defaults within the host: memory at most half of it, unless the OS needs more', () => {
    expect(defaultResources(host, 'x86_64')).toEqual({ memoryMiB: 1536, vcpus: GENERIC_RESOURCES.vcpus, diskMiB: GENERIC_RESOURCES.diskMiB, minimum: {} });
    // Windows 11 needs 4 GiB: the host's whole 3 GiB is the most it can get.
    expect(defaultResources(host, 'x86_64', { catalogue, os: catalogue.require('win11') })).toMatchObject({ memoryMiB: 3072, vcpus: 2, diskMiB: 64 * 1024 });
    expect(defaultResources({ ...host, cpus: 1 }, 'x86_64', { catalogue, os: catalogue.require('win11') }).vcpus).toBe(1);
  });

  it('refuses more memory or CPUs than the host has', () => {
    expect(resourceError(() => checkResources({ memoryMiB: 4096, vcpus: 1 }, host))).toMatchObject({
      field: 'memoryMiB',
      message: '4 GiB of memory asked for, but the host has only 3 GiB',
    });
    expect(resourceError(() => checkResources({ memoryMiB: 512, vcpus: 17 }, host))).toMatchObject({
      field: 'vcpus',
      message: '17 virtual CPUs asked for, but the host has only 16 CPUs',
    });
    expect(checkResources({ memoryMiB: 3072, vcpus: 16, diskMiB: 10 }, host)).toEqual([]);
  });

  it('refuses sizes that are not positive whole numbers', () => {
    expect(resourceError(() => checkResources({ memoryMiB: 0, vcpus: 1 }, host))).toMatchObject({ field: 'memoryMiB', message: 'memoryMiB must be a positive whole number, not 0' });
    expect(resourceError(() => checkResources({ memoryMiB: 512, vcpus: 1.5 }, host))).toMatchObject({ field: 'vcpus' });
    expect(resourceError(() => checkResources({ memoryMiB: 512, vcpus: 1, diskMiB: -1 }, host))).toMatchObject({ field: 'diskMiB' });
  });

  it("warns about sizes below the OS's minimum", () => {
    const minimum = defaultResources(host, 'x86_64', { catalogue, os: catalogue.require('win11') }).minimum;
    expect(checkResources({ memoryMiB: 2048, vcpus: 1, diskMiB: 32 * 1024 }, host, minimum)).toEqual([
      '2 GiB of memory is below the 4 GiB of memory this OS needs',
      '1 virtual CPUs is below the 2 virtual CPUs this OS needs',
      '32 GiB of disk is below the 64 GiB of disk this OS needs',
    ]);
  });
});
