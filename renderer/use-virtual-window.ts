// Row virtualisation for long lists (5 000 VMs): only the rows in view, plus a few either
// side, are in the DOM. Rows have one fixed height, so the window is plain arithmetic.
import { type RefObject, useCallback, useLayoutEffect, useState } from 'react';

export interface VirtualWindow {
  /** First and one-past-last row index to render. */
  start: number;
  end: number;
  /** Height of all rows together, for the scroll area. */
  totalHeight: number;
  /** Scrolls the least needed to show row `index` whole. */
  scrollIntoView(index: number): void;
}

/** The rows of `count` that fit the viewport, for a scroll container `ref` whose rows are `rowHeight` px tall. */
export function useVirtualWindow(ref: RefObject<HTMLElement | null>, count: number, rowHeight: number, options: { overscan?: number; headerHeight?: number } = {}): VirtualWindow {
  const overscan = options.overscan ?? 10;
  const header = options.headerHeight ?? 0;
  // Until measured, assume a tall viewport so the first paint already shows a full screen of rows.
  const [viewport, setViewport] = useState({ top: 0, height: 1200 });

  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setViewport((v) => (v.top === element.scrollTop && v.height === element.clientHeight ? v : { top: element.scrollTop, height: element.clientHeight }));
    measure();
    element.addEventListener('scroll', measure, { passive: true });
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => {
      element.removeEventListener('scroll', measure);
      observer.disconnect();
    };
  }, [ref]);

  const first = Math.floor(Math.max(0, viewport.top - header) / rowHeight);
  const visible = Math.ceil(viewport.height / rowHeight) + 1;
  const start = Math.max(0, Math.min(count, first - overscan));
  const end = Math.min(count, first + visible + overscan);

  const scrollIntoView = useCallback(
    (index: number) => {
      const element = ref.current;
      if (!element || index < 0) return;
      const top = header + index * rowHeight;
      const bottom = top + rowHeight;
      if (top - header < element.scrollTop) element.scrollTop = top - header;
      else if (bottom > element.scrollTop + element.clientHeight) element.scrollTop = bottom - element.clientHeight;
    },
    [ref, rowHeight, header],
  );

  return { start, end, totalHeight: count * rowHeight, scrollIntoView };
}
