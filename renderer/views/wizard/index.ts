// The New VM wizard: openNewVmWizard(connectionId?) opens it (default: the connection selected in
// the manager window); <NewVmWizardHost/> renders it, <NewVmButton/> is the toolbar's button.
export { NewVmButton, NewVmWizardHost } from './NewVmWizard.js';
export { openNewVmWizard, useWizardWindow } from './store.js';
