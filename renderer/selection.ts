// Multi-selection over the VM list as shown (filtered and sorted), by UUID: click, Ctrl+click,
// Shift+click, the arrow keys with and without Shift, Ctrl+A. Pure functions over immutable state.

export interface Selection {
  selected: ReadonlySet<string>;
  /** Where a Shift range starts. */
  anchor: string | null;
  /** The row the keyboard is on. */
  focus: string | null;
}

export const emptySelection: Selection = { selected: new Set(), anchor: null, focus: null };

export interface PointerModifiers {
  /** Ctrl or Cmd: toggle one row. */
  toggle: boolean;
  /** Shift: extend from the anchor. */
  range: boolean;
}

function rangeOf(order: readonly string[], from: string | null, to: string): string[] {
  const end = order.indexOf(to);
  const start = from === null ? -1 : order.indexOf(from);
  if (end < 0) return [];
  if (start < 0) return [to];
  const [lo, hi] = start <= end ? [start, end] : [end, start];
  return order.slice(lo, hi + 1);
}

/** A click on `uuid` in `order` (the rows as shown). */
export function click(selection: Selection, order: readonly string[], uuid: string, mods: PointerModifiers): Selection {
  if (mods.range) {
    const range = rangeOf(order, selection.anchor ?? selection.focus, uuid);
    const selected = new Set(mods.toggle ? selection.selected : []);
    for (const id of range) selected.add(id);
    return { selected, anchor: selection.anchor ?? uuid, focus: uuid };
  }
  if (mods.toggle) {
    const selected = new Set(selection.selected);
    if (selected.has(uuid)) selected.delete(uuid);
    else selected.add(uuid);
    return { selected, anchor: uuid, focus: uuid };
  }
  return { selected: new Set([uuid]), anchor: uuid, focus: uuid };
}

/** A right-click: keeps a selection that contains the row, else selects just it. */
export function contextClick(selection: Selection, uuid: string): Selection {
  if (selection.selected.has(uuid)) return { ...selection, focus: uuid };
  return { selected: new Set([uuid]), anchor: uuid, focus: uuid };
}

/**
 * Keyboard movement: `to` is the new focus row (Up/Down/Home/End/PageUp/PageDown already
 * resolved by the caller). extend (Shift) selects from the anchor; keep (Ctrl) moves the focus only.
 */
export function moveTo(selection: Selection, order: readonly string[], to: string, mode: { extend: boolean; keep: boolean }): Selection {
  if (mode.keep) return { ...selection, focus: to };
  if (mode.extend) {
    const anchor = selection.anchor ?? selection.focus ?? to;
    return { selected: new Set(rangeOf(order, anchor, to)), anchor, focus: to };
  }
  return { selected: new Set([to]), anchor: to, focus: to };
}

/** The row `delta` rows away from the focus (clamped); the first row when nothing has focus. */
export function neighbour(order: readonly string[], focus: string | null, delta: number): string | null {
  if (order.length === 0) return null;
  const at = focus === null ? -1 : order.indexOf(focus);
  if (at < 0) return order[delta < 0 ? order.length - 1 : 0]!;
  return order[Math.min(order.length - 1, Math.max(0, at + delta))]!;
}

export function selectAll(order: readonly string[], selection: Selection): Selection {
  return { selected: new Set(order), anchor: order[0] ?? null, focus: selection.focus ?? order[0] ?? null };
}

/** Ctrl+Space: toggles the focused row. */
export function toggleFocused(selection: Selection): Selection {
  if (!selection.focus) return selection;
  const selected = new Set(selection.selected);
  if (selected.has(selection.focus)) selected.delete(selection.focus);
  else selected.add(selection.focus);
  return { ...selection, selected };
}

/** Drops VMs that no longer exist (deleted, connection gone); the same object when nothing changed. */
export function prune(selection: Selection, exists: (uuid: string) => boolean): Selection {
  const gone = [...selection.selected].filter((id) => !exists(id));
  const focusGone = selection.focus !== null && !exists(selection.focus);
  const anchorGone = selection.anchor !== null && !exists(selection.anchor);
  if (gone.length === 0 && !focusGone && !anchorGone) return selection;
  const selected = new Set(selection.selected);
  for (const id of gone) selected.delete(id);
  return { selected, anchor: anchorGone ? null : selection.anchor, focus: focusGone ? null : selection.focus };
}
