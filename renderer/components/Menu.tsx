// A keyboard-usable menu (role=menu): Up/Down/Home/End move, Enter/Space pick, Escape and a
// click elsewhere close. Used by the context menu and the toolbar's drop-downs.
import { type KeyboardEvent, type RefObject, useEffect, useLayoutEffect, useRef, useState } from 'react';

export type MenuEntry =
  | {
      kind?: 'item';
      id: string;
      label: string;
      shortcut?: string;
      disabled?: boolean;
      /** A check box item (menuitemcheckbox). */
      checked?: boolean;
      /** How many VMs it acts on, shown when more than one. */
      count?: number;
      onSelect(): void;
    }
  | { kind: 'separator'; id: string };

export interface MenuProps {
  entries: MenuEntry[];
  label: string;
  /** Fixed position (context menu); absent: placed by the parent's CSS (drop-down). */
  at?: { x: number; y: number };
  onClose(): void;
  testId?: string;
  /** The button that opened it: a click there toggles the menu rather than closing and reopening it. */
  anchor?: RefObject<HTMLElement | null>;
}

export function Menu({ entries, label, at, onClose, testId, anchor }: MenuProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState(at);
  // The latest onClose, so the effect below runs once per opening whatever the parent passes.
  const close = useRef(onClose);
  useLayoutEffect(() => {
    close.current = onClose;
  });

  // Focus goes back where it was when the menu goes (an item picked, Escape, a click elsewhere).
  useLayoutEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const menu = ref.current;
    return () => {
      const active = document.activeElement;
      if (!active || active === document.body || menu?.contains(active)) previous?.focus({ preventScroll: true });
    };
  }, []);

  // Keep a context menu inside the window.
  useLayoutEffect(() => {
    if (!at || !ref.current) return;
    const { width, height } = ref.current.getBoundingClientRect();
    setPosition({ x: Math.max(0, Math.min(at.x, window.innerWidth - width - 4)), y: Math.max(0, Math.min(at.y, window.innerHeight - height - 4)) });
  }, [at]);

  useEffect(() => {
    const first = ref.current?.querySelector<HTMLElement>('[role^="menuitem"]:not([aria-disabled="true"])');
    (first ?? ref.current)?.focus();
    const outside = (event: MouseEvent) => {
      const target = event.target as Node;
      if (ref.current && !ref.current.contains(target) && !anchor?.current?.contains(target)) close.current();
    };
    const blur = () => close.current();
    document.addEventListener('mousedown', outside, true);
    window.addEventListener('blur', blur);
    return () => {
      document.removeEventListener('mousedown', outside, true);
      window.removeEventListener('blur', blur);
    };
  }, [anchor]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(ref.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]:not([aria-disabled="true"])') ?? [])];
    const current = items.indexOf(document.activeElement as HTMLElement);
    const focus = (i: number) => items[(i + items.length) % items.length]?.focus();
    switch (event.key) {
      case 'ArrowDown':
        focus(current + 1);
        break;
      case 'ArrowUp':
        focus(current - 1);
        break;
      case 'Home':
        focus(0);
        break;
      case 'End':
        focus(items.length - 1);
        break;
      case 'Escape':
      case 'Tab':
        onClose();
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  };

  return (
    <div
      ref={ref}
      role="menu"
      aria-label={label}
      className={at ? 'menu context' : 'menu'}
      tabIndex={-1}
      data-testid={testId}
      onKeyDown={onKeyDown}
      onContextMenu={(e) => e.preventDefault()}
      style={position ? { left: position.x, top: position.y } : undefined}
    >
      {entries.map((entry) =>
        entry.kind === 'separator' ? (
          <div key={entry.id} role="separator" className="menu-separator" />
        ) : (
          <div
            key={entry.id}
            role={entry.checked === undefined ? 'menuitem' : 'menuitemcheckbox'}
            aria-checked={entry.checked}
            aria-disabled={entry.disabled || undefined}
            tabIndex={-1}
            className="menu-item"
            onClick={() => {
              if (!entry.disabled) entry.onSelect();
            }}
            onKeyDown={(event) => {
              if ((event.key === 'Enter' || event.key === ' ') && !entry.disabled) {
                event.preventDefault();
                event.stopPropagation();
                entry.onSelect();
              }
            }}
          >
            {entry.checked !== undefined && <span className="menu-check" aria-hidden="true">{entry.checked ? '✓' : ''}</span>}
            <span className="menu-label">{entry.label}</span>
            {entry.count !== undefined && entry.count > 1 && <span className="menu-count">{entry.count}</span>}
            {entry.shortcut && <kbd className="menu-shortcut">{entry.shortcut}</kbd>}
          </div>
        ),
      )}
    </div>
  );
}
