// Merges a backend list's snapshot and change batches in version order, whichever arrives
// first: changes that come before the first snapshot wait, older ones are dropped.
import type { ListChange, ListSnapshot } from '../../shared/models/list.js';

export interface VersionedList<T> {
  /** A snapshot or a reset arrived; before that, changes wait in `held`. */
  loaded: boolean;
  version: number;
  /** Keyed by the item's key, in the backend's order. */
  items: Record<string, T>;
  held: ListChange<T>[];
}

export const emptyList = <T>(): VersionedList<T> => ({ loaded: false, version: -1, items: {}, held: [] });

const byKey = <T>(items: T[], keyOf: (item: T) => string): Record<string, T> => Object.fromEntries(items.map((item) => [keyOf(item), item]));

export function applyListChange<T>(list: VersionedList<T>, change: ListChange<T>, keyOf: (item: T) => string): VersionedList<T> {
  if (list.loaded && change.version <= list.version) return list;
  if (change.reset) return { loaded: true, version: change.version, items: byKey(change.upserted, keyOf), held: [] };
  if (!list.loaded) return { ...list, held: [...list.held, change] };
  const items = { ...list.items };
  for (const item of change.upserted) items[keyOf(item)] = item;
  for (const key of change.removed) delete items[key];
  return { ...list, version: change.version, items };
}

export function applyListSnapshot<T>(list: VersionedList<T>, snapshot: ListSnapshot<T>, keyOf: (item: T) => string): VersionedList<T> {
  if (list.loaded && snapshot.version <= list.version) return list;
  let next: VersionedList<T> = { loaded: true, version: snapshot.version, items: byKey(snapshot.items, keyOf), held: [] };
  for (const change of list.held) next = applyListChange(next, change, keyOf);
  return next;
}
