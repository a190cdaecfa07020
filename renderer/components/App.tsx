import { useEffect } from 'react';
import './manager.css';
import { ConnectionSidebar } from './ConnectionSidebar.js';
import { Dialogs } from './Dialogs.js';
import { Notices } from './Notices.js';
import { VmPane } from './VmPane.js';
import { NewVmWizardHost } from '../views/wizard/index.js';

/** "/" or Ctrl+F: the filter box, from anywhere but a text field. */
function useFilterShortcut(): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      const typing = target?.closest('input, textarea, select, [contenteditable="true"], dialog');
      const wants = (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) || ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'f' && !target?.closest('dialog'));
      if (!wants) return;
      const filter = document.querySelector<HTMLInputElement>('[data-testid="vm-filter"]');
      if (!filter) return;
      event.preventDefault();
      filter.focus();
      filter.select();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}

export function App() {
  useFilterShortcut();
  return (
    <div className="app">
      <ConnectionSidebar />
      <main className="main">
        <Notices />
        <VmPane />
      </main>
      <Dialogs />
      <NewVmWizardHost />
    </div>
  );
}
