// Bulk domain statistics (domain_stats.cc) against libvirt's test driver: the default
// host, and generated node files with known domain states (test:///ABSOLUTE/PATH.xml).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectionHandle, type DomainStatsRecord, drainBatch, loadBinding } from '../index.js';
import { codesOf, expected } from './support.js';

const lv = loadBinding();

const RUNNING = 1;
const PAUSED = 3;
const SHUTOFF = 5;
const stateOf = (i: number) => [RUNNING, PAUSED, SHUTOFF][i % 3]!;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vireo-stats-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A test-driver node file whose domain i is named vm-i and has state stateAt(i). */
function nodeFile(name: string, count: number, stateAt: (i: number) => number): string {
  const parts = ['<node>'];
  for (let i = 0; i < count; i++) {
    const hex = i.toString(16).padStart(12, '0');
    parts.push(
      `<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'><name>vm-${i}</name>` +
        `<uuid>5f0c0000-0000-4000-8000-${hex}</uuid><memory unit='MiB'>128</memory><vcpu>1</vcpu>` +
        `<os><type>hvm</type></os><test:runstate>${stateAt(i)}</test:runstate></domain>`,
    );
  }
  parts.push('</node>');
  const file = join(dir, name);
  writeFileSync(file, parts.join('\n'));
  return `test://${file}`;
}

function byName(records: DomainStatsRecord[]): Map<string, DomainStatsRecord> {
  return new Map(records.map((r) => [r.domain.name, r]));
}

describe('getAllDomainStats on test:///default', () => {
  let conn: ConnectionHandle;
  beforeAll(async () => {
    conn = await lv.open('test:///default');
  });
  afterAll(async () => {
    await lv.close(conn);
  });

  it('returns the running domain with its state and identity', async () => {
    const batch = await lv.getAllDomainStats(conn, ['state']);
    expect(batch.length).toBe(1);
    const [rec] = await drainBatch(batch);
    expect(rec?.domain).toEqual({ name: 'test', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', id: expect.any(Number) });
    expect(rec?.domain.id).toBeGreaterThan(0);
    expect(rec?.stats['state.state']).toBe(RUNNING);
    expect(typeof rec?.stats['state.reason']).toBe('number');
  });

  it('accepts every documented group name, and [] for all groups', async () => {
    const all = ['state', 'cpu-total', 'balloon', 'vcpu', 'interface', 'block', 'perf', 'iothread', 'memory', 'dirtyrate'];
    const named = await drainBatch(await lv.getAllDomainStats(conn, all));
    expect(named.map((r) => r.stats['state.state'])).toEqual([RUNNING]);
    const everything = await drainBatch(await lv.getAllDomainStats(conn, []));
    expect(everything.map((r) => r.stats['state.state'])).toEqual([RUNNING]);
  });

  it('restricts to the given domains, by name or UUID, and to none for []', async () => {
    const recs = await drainBatch(await lv.getAllDomainStats(conn, ['state'], { domains: ['test', '6695eb01-f6a4-8304-79aa-97f2502e193f'] }));
    expect(recs.map((r) => r.domain.name)).toEqual(['test', 'test']);
    expect((await lv.getAllDomainStats(conn, ['state'], { domains: [] })).length).toBe(0);
  });

  it('rejects an unknown domain with VIR_ERR_NO_DOMAIN', async () => {
    await expect(lv.getAllDomainStats(conn, ['state'], { domains: ['test', 'no-such-domain'] })).rejects.toMatchObject({
      code: 'VIR_ERR_NO_DOMAIN',
    });
  });

  it('rejects bad arguments with ERR_INVALID_ARG', async () => {
    const bad: unknown[][] = [
      [conn, ['state', 'bogus']],
      [conn, 'state'],
      [conn, [1]],
      [conn, ['state'], { active: 'yes' }],
      [conn, ['state'], { domains: [1, 2] }],
      [conn, ['state'], { domains: 'test' }],
      [conn, ['state'], 42],
      [{}, ['state']],
    ];
    const stats = lv.getAllDomainStats as (...a: unknown[]) => Promise<unknown>;
    const calls = bad.map((args): [string, () => Promise<unknown>] => [JSON.stringify(args.slice(1)), () => stats(...args)]);
    expect(await codesOf(calls)).toEqual(expected(calls, 'ERR_INVALID_ARG'));
    await expect(lv.getAllDomainStats(conn, ['nope'])).rejects.toThrow(/unknown stats group 'nope'/);
  });

  it('rejects on a closed connection', async () => {
    const c = await lv.open('test:///default');
    await lv.close(c);
    await expect(lv.getAllDomainStats(c, ['state'])).rejects.toThrow(/closed/);
  });
});

describe('getAllDomainStats with known states', () => {
  it('reports each state and filters active/inactive', async () => {
    const states = [SHUTOFF, PAUSED, RUNNING, SHUTOFF];
    const conn = await lv.open(nodeFile('mixed.xml', states.length, (i) => states[i]!));
    try {
      const all = byName(await drainBatch(await lv.getAllDomainStats(conn, ['state'])));
      expect(all.size).toBe(4);
      const seen = states.map((_, i) => {
        const rec = all.get(`vm-${i}`);
        return { state: rec?.stats['state.state'], uuid: rec?.domain.uuid, inactiveId: rec?.domain.id === -1 };
      });
      expect(seen).toEqual(
        states.map((s, i) => ({ state: s, uuid: `5f0c0000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, inactiveId: s === SHUTOFF })),
      );
      const active = await drainBatch(await lv.getAllDomainStats(conn, ['state'], { active: true }));
      expect(active.map((r) => r.domain.name).toSorted()).toEqual(['vm-1', 'vm-2']);
      const inactive = await drainBatch(await lv.getAllDomainStats(conn, ['state'], { inactive: true }));
      expect(inactive.map((r) => r.domain.name).toSorted()).toEqual(['vm-0', 'vm-3']);
      // The filter also applies to an explicit domain list.
      const listed = await drainBatch(await lv.getAllDomainStats(conn, ['state'], { domains: ['vm-0', 'vm-2'], active: true }));
      expect(listed.map((r) => r.domain.name)).toEqual(['vm-2']);
    } finally {
      await lv.close(conn);
    }
  });

  it('returns all 2 000 domains of a large host with their states', async () => {
    const N = 2000;
    const conn = await lv.open(nodeFile('n2000.xml', N, stateOf));
    try {
      const batch = await lv.getAllDomainStats(conn, ['state', 'cpu-total', 'balloon', 'vcpu']);
      expect(batch.length).toBe(N);
      // Sliced conversion: next(count) never returns more than asked.
      const first = batch.next(300);
      expect(first.length).toBe(300);
      const rest = await drainBatch(batch, 400);
      expect(rest.length).toBe(N - 300);
      expect(batch.next(10)).toEqual([]);
      const recs = byName([...first, ...rest]);
      expect(recs.size).toBe(N);
      const wrong = Array.from({ length: N }, (_, i) => `vm-${i}`).filter((name, i) => recs.get(name)?.stats['state.state'] !== stateOf(i));
      expect(wrong).toEqual([]);
      const running = await drainBatch(await lv.getAllDomainStats(conn, ['state'], { active: true }));
      expect(running.length).toBe(Array.from({ length: N }, (_, i) => stateOf(i)).filter((s) => s !== SHUTOFF).length);
      expect(running.every((r) => r.stats['state.state'] !== SHUTOFF)).toBe(true);
    } finally {
      await lv.close(conn);
    }
  });
});
