// Which window this page is: the manager (any address) or a VM's window (#/vm/...). The VM
// window's code (noVNC, xterm.js) loads only there.
import { type ReactNode, Suspense, lazy, useSyncExternalStore } from 'react';
import { parseVmRoute } from './route.js';

const VmWindow = lazy(() => import('./VmWindow.js').then((m) => ({ default: m.VmWindow })));

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

export function Routed({ manager }: { manager: ReactNode }) {
  const hash = useSyncExternalStore(subscribe, () => location.hash);
  const route = parseVmRoute(hash);
  if (!route) return manager;
  return (
    <Suspense fallback={<p className="empty">Loading…</p>}>
      <VmWindow key={`${route.connectionId}/${route.uuid}`} route={route} />
    </Suspense>
  );
}
