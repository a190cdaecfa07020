import { describe, expect, it } from 'vitest';
import { type VmSnapshot, snapshotNameProblem, snapshotTree } from './snapshot.js';

const snap = (name: string, parent: string | null, createdAt: number): VmSnapshot => ({ name, parent, current: false, description: null, createdAt, state: 'running', withMemory: true });

describe('snapshotTree', () => {
  it('orders depth first, siblings oldest first, with each one’s depth; an unlisted parent makes a root', () => {
    const tree = snapshotTree([snap('c', 'a', 3), snap('b', 'a', 2), snap('a', null, 1), snap('d', 'b', 4), snap('orphan', 'gone', 0)]);
    expect(tree.map(({ snapshot, depth }) => `${'  '.repeat(depth)}${snapshot.name}`)).toEqual(['orphan', 'a', '  b', '    d', '  c']);
  });
});

describe('snapshotNameProblem', () => {
  it('accepts what libvirt takes and says what is wrong with the rest', () => {
    expect(snapshotNameProblem('before upgrade 2026-11-23')).toBeNull();
    expect(snapshotNameProblem('')).toBe('the snapshot needs a name');
    expect(snapshotNameProblem('a/b')).toBe('the name cannot contain "/"');
    expect(snapshotNameProblem('tab\there')).toBe('the name cannot contain control characters');
    expect(snapshotNameProblem('x'.repeat(201))).toBe('the name is too long (200 characters at most)');
  });
});
