import { describe, expect, it } from 'vitest';
import type { ListChange } from '../../shared/models/list.js';
import { applyListChange, applyListSnapshot, emptyList } from './versioned-list.js';

interface Item {
  key: string;
  value: string;
}
const keyOf = (item: Item) => item.key;
const item = (key: string, value: string): Item => ({ key, value });
const change = (version: number, upserted: Item[], removed: string[] = [], reset = false): ListChange<Item> => ({ version, reset, upserted, removed });

describe('versioned list', () => {
  it('applies changes newer than the snapshot', () => {
    let list = applyListSnapshot(emptyList<Item>(), { version: 5, items: [item('a', 'running'), item('b', 'shutoff')] }, keyOf);
    list = applyListChange(list, change(6, [item('a', 'paused')], ['b']), keyOf);
    expect(list.items).toEqual({ a: item('a', 'paused') });
    expect(list.version).toBe(6);
  });

  it('holds changes that arrive before the first snapshot and replays only those newer than it', () => {
    let list = applyListChange(emptyList<Item>(), change(4, [item('a', 'stale')]), keyOf);
    list = applyListChange(list, change(7, [item('a', 'paused')]), keyOf);
    expect(list.loaded).toBe(false);
    list = applyListSnapshot(list, { version: 5, items: [item('a', 'running')] }, keyOf);
    expect(list).toMatchObject({ loaded: true, version: 7, items: { a: item('a', 'paused') }, held: [] });
  });

  it('ignores changes and snapshots older than what it has', () => {
    let list = applyListSnapshot(emptyList<Item>(), { version: 10, items: [item('a', 'running')] }, keyOf);
    list = applyListChange(list, change(9, [item('a', 'paused')]), keyOf);
    list = applyListSnapshot(list, { version: 8, items: [] }, keyOf);
    expect(list.items).toEqual({ a: item('a', 'running') });
  });

  it('replaces everything on a reset', () => {
    let list = applyListSnapshot(emptyList<Item>(), { version: 1, items: [item('a', 'running')] }, keyOf);
    list = applyListChange(list, change(2, [item('z', 'shutoff')], [], true), keyOf);
    expect(list.items).toEqual({ z: item('z', 'shutoff') });
  });
});
