import { useUi } from '../stores/ui.js';
import { ConnectionSidebar } from './ConnectionSidebar.js';
import { VmPane } from './VmPane.js';

function Notices() {
  const notice = useUi((s) => s.notice);
  const backendLost = useUi((s) => s.backendLost);
  const dismiss = useUi((s) => s.showNotice);
  return (
    <>
      {backendLost && (
        <div className="banner error" role="alert">
          {backendLost === 'refused'
            ? 'The Vireo backend refused this page. Open the address it printed at start-up: it carries the access token.'
            : 'The Vireo backend stopped. Start it again and open the address it prints.'}
        </div>
      )}
      {notice && (
        <div className="banner" role="alert">
          {notice}
          <button type="button" onClick={() => dismiss(null)}>
            Dismiss
          </button>
        </div>
      )}
    </>
  );
}

export function App() {
  return (
    <div className="app">
      <ConnectionSidebar />
      <main className="main">
        <Notices />
        <VmPane />
      </main>
    </div>
  );
}
