import { describe, expect, it } from 'vitest';
import { click, contextClick, emptySelection, moveTo, neighbour, prune, selectAll, toggleFocused } from './selection.js';

const order = ['a', 'b', 'c', 'd', 'e'];
const ids = (s: { selected: ReadonlySet<string> }) => [...s.selected].toSorted();
const none = { toggle: false, range: false };

describe('VM list selection', () => {
  it('click selects one, Ctrl+click toggles, Shift+click selects the range from the anchor', () => {
    let s = click(emptySelection, order, 'b', none);
    expect(ids(s)).toEqual(['b']);
    s = click(s, order, 'd', { toggle: true, range: false });
    expect(ids(s)).toEqual(['b', 'd']);
    s = click(s, order, 'b', { toggle: true, range: false });
    expect(ids(s)).toEqual(['d']);
    // The last Ctrl+click (b) is the anchor, selected or not.
    s = click(s, order, 'a', { toggle: false, range: true });
    expect(ids(s)).toEqual(['a', 'b']);
    s = click(s, order, 'e', { toggle: false, range: true });
    expect(ids(s)).toEqual(['b', 'c', 'd', 'e']); // the anchor stays
  });

  it('Ctrl+Shift+click adds a range to what is selected', () => {
    let s = click(emptySelection, order, 'a', none);
    s = click(s, order, 'c', { toggle: true, range: false });
    s = click(s, order, 'e', { toggle: true, range: true });
    expect(ids(s)).toEqual(['a', 'c', 'd', 'e']);
  });

  it('moves with the keyboard, extends with Shift, moves only the focus with Ctrl', () => {
    let s = moveTo(emptySelection, order, neighbour(order, null, 1)!, { extend: false, keep: false });
    expect(s).toMatchObject({ focus: 'a' });
    s = moveTo(s, order, neighbour(order, s.focus, 2)!, { extend: true, keep: false });
    expect(ids(s)).toEqual(['a', 'b', 'c']);
    s = moveTo(s, order, neighbour(order, s.focus, 1)!, { extend: false, keep: true });
    expect(ids(s)).toEqual(['a', 'b', 'c']);
    expect(s.focus).toBe('d');
    s = toggleFocused(s);
    expect(ids(s)).toEqual(['a', 'b', 'c', 'd']);
    expect(neighbour(order, 'e', 10)).toBe('e');
    expect(neighbour(order, 'a', -10)).toBe('a');
  });

  it('selects all shown rows; a right-click keeps a selection that holds the row', () => {
    const all = selectAll(order, emptySelection);
    expect(ids(all)).toEqual(order);
    expect(ids(contextClick(all, 'c'))).toEqual(order);
    expect(ids(contextClick(click(emptySelection, order, 'a', none), 'c'))).toEqual(['c']);
  });

  it('drops deleted VMs and keeps the same object when nothing went', () => {
    const s = selectAll(order, emptySelection);
    expect(prune(s, () => true)).toBe(s);
    const pruned = prune(s, (id) => id !== 'a' && id !== 'c');
    expect(ids(pruned)).toEqual(['b', 'd', 'e']);
    expect(pruned.anchor).toBeNull();
  });
});
