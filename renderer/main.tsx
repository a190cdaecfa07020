import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './api/client.js';
import { ApiContext } from './api/context.js';
import { App } from './components/App.js';
import { useUi } from './stores/ui.js';
import { startSync } from './sync.js';
import { Routed } from './views/vm/VmRoute.js';
import './styles.css';

const client = createClient((end) => useUi.getState().markBackendLost(end));
startSync(client).catch((e: unknown) => useUi.getState().showNotice(`Could not load from the backend: ${(e as Error).message}`));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApiContext.Provider value={client}>
      {/* #/vm/<connectionId>/<uuid>/<tab> is a VM's window (renderer/views/vm/route.ts) */}
      <Routed manager={<App />} />
    </ApiContext.Provider>
  </StrictMode>,
);
