// The New VM wizard (virt-manager's "Create a new virtual machine"): pages with Back and Forward,
// each checked by the backend before moving on, errors shown on the page they belong to; Finish
// creates the VM (or copies) as a backend operation with a progress bar, then opens its console.
import { useCallback, useEffect, useEffectEvent, useMemo, useState } from 'react';
import type { ApiClient, MethodParams } from '../../../shared/api/contract.js';
import type {
  MediaInspection,
  WizardDefaults,
  WizardEnvironment,
  WizardFieldError,
  WizardFinished,
  WizardOutcome,
  WizardPage,
  WizardProgress,
  WizardTemplate,
} from '../../../shared/models/wizard.js';
import { checkCustomXml } from '../../../shared/models/wizard-xml.js';
import { useApi } from '../../api/context.js';
import { Modal } from '../../components/Modal.js';
import { useConnections } from '../../stores/connections.js';
import { useUi } from '../../stores/ui.js';
import { openVmWindow } from '../../vm-window.js';
import { FileBrowser } from '../../components/FileBrowser.js';
import { bytes } from '../../format.js';
import { PAGE_TITLES, type WizardForm, adaptToEnvironment, copiesOf, defaultForm, formFromTemplate, formatGiB, localError, pagesOf, planOf, progressFraction } from './form.js';
import { CustomizeEditor } from './CustomizeEditor.js';
import { type Detection, MethodPage, type PathField, ResourcesPage, SourcePage, StoragePage, SummaryPage } from './pages.js';
import { openNewVmWizard, useWizardWindow } from './store.js';
import './wizard.css';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const close = () => useWizardWindow.getState().close();
const ALL_PAGES: WizardPage[] = ['method', 'source', 'resources', 'storage', 'summary'];
/** The operation is asked about this often too, in case an event went missing. */
const POLL_MS = 2000;

export function NewVmButton({ connectionId, disabled }: { connectionId?: string; disabled?: boolean }) {
  return (
    <button type="button" className="tool new-vm" disabled={disabled} onClick={() => openNewVmWizard(connectionId)} title="Create a new virtual machine" data-testid="toolbar-new-vm">
      New VM
    </button>
  );
}

export function NewVmWizardHost() {
  const connectionId = useWizardWindow((s) => s.connectionId);
  const session = useWizardWindow((s) => s.session);
  if (!connectionId) return null;
  return <NewVmWizard key={session} initialConnectionId={connectionId} />;
}

interface Run {
  operationId: string | null;
  progress: WizardProgress | null;
}

/** Runs wizard.create and resolves with its outcome, reporting progress; events are matched by operation id. */
async function runCreation(client: ApiClient, params: MethodParams<'wizard.create'>, onProgress: (p: WizardProgress, operationId: string) => void): Promise<WizardOutcome> {
  const early: (WizardProgress | WizardFinished)[] = [];
  let operationId: string | null = null;
  let settle!: (outcome: WizardOutcome) => void;
  const done = new Promise<WizardOutcome>((resolve) => {
    settle = resolve;
  });
  const handle = (item: WizardProgress | WizardFinished) => {
    if ('outcome' in item) settle(item.outcome);
    else onProgress(item, item.operationId);
  };
  // Listening before asking, so nothing sent between the answer and the subscription is lost.
  const offProgress = client.on('wizard.progress', (p) => (operationId === null ? early.push(p) : p.operationId === operationId && handle(p)));
  const offFinished = client.on('wizard.finished', (f) => (operationId === null ? early.push(f) : f.operationId === operationId && handle(f)));
  let poll: ReturnType<typeof setInterval> | undefined;
  try {
    const started = await client.call('wizard.create', params);
    operationId = started.operationId;
    for (const item of early.filter((e) => e.operationId === operationId)) handle(item);
    poll = setInterval(() => {
      void client
        .call('wizard.operation', { operationId: started.operationId })
        .then((op) => op.outcome && settle(op.outcome))
        .catch(() => undefined);
    }, POLL_MS);
    return await done;
  } finally {
    offProgress();
    offFinished();
    if (poll) clearInterval(poll);
  }
}

interface Inspected {
  path: string;
  result: MediaInspection;
}

/** Inspects `path` (debounced) whenever it changes to an absolute path; onResult gets the latest answer only. */
function useInspection(client: ApiClient, connectionId: string, path: string, as: 'iso' | 'image', onResult: (result: MediaInspection) => void): void {
  const report = useEffectEvent(onResult);
  useEffect(() => {
    if (!path.startsWith('/')) return;
    let live = true;
    const timer = setTimeout(() => {
      void (async () => {
        let result: MediaInspection;
        try {
          result = await client.call('wizard.inspect', { connectionId, path, as });
        } catch (e) {
          result = { ok: false, error: { page: 'source', field: 'path', message: message(e) } };
        }
        if (live) report(result);
      })();
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, connectionId, path, as]);
}

const detectionOf = (path: string, inspected: Inspected | undefined): Detection =>
  !path.startsWith('/') ? { state: 'idle' } : inspected?.path === path ? { state: 'done', result: inspected.result } : { state: 'busy' };

function NewVmWizard({ initialConnectionId }: { initialConnectionId: string }) {
  const client = useApi();
  const connections = useConnections((s) => s.list.items);
  const connectionList = useMemo(() => Object.values(connections), [connections]);
  const [form, setForm] = useState<WizardForm>(() => defaultForm(initialConnectionId));
  const update = useCallback((patch: Partial<WizardForm>) => setForm((f) => ({ ...f, ...patch })), []);
  const [page, setPage] = useState<WizardPage>('method');
  const [loaded, setLoaded] = useState<{ connectionId: string; env: WizardEnvironment | null; error: string | null } | null>(null);
  const [error, setError] = useState<WizardFieldError | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [checking, setChecking] = useState(false);
  const [templates, setTemplates] = useState<WizardTemplate[]>([]);
  const [browser, setBrowser] = useState<{ field: PathField; title: string } | null>(null);
  const [inspected, setInspected] = useState<{ iso?: Inspected; image?: Inspected }>({});
  const [defaults, setDefaults] = useState<WizardDefaults | null>(null);
  /** The definition being customized: `base` as the backend proposed it, `xml` with the edits. */
  const [custom, setCustom] = useState<{ vmName: string; base: string; xml: string } | null>(null);
  const [run, setRun] = useState<Run | null>(null);
  /** Boot Options' autostart on the customize page: set once the VM exists. */
  const [autostart, setAutostart] = useState(false);
  const connectionId = form.connectionId;
  const env = loaded?.connectionId === connectionId ? loaded.env : null;
  const envError = loaded?.connectionId === connectionId ? loaded.error : null;

  // What the connection offers; its pools and networks become the defaults.
  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const found = await client.call('wizard.environment', { connectionId });
        if (!live) return;
        setLoaded({ connectionId, env: found, error: null });
        setForm((f) => adaptToEnvironment(f, found));
      } catch (e) {
        if (live) setLoaded({ connectionId, env: null, error: message(e) });
      }
    })();
    return () => {
      live = false;
    };
  }, [client, connectionId]);

  useEffect(() => {
    void client
      .call('wizard.templates.list')
      .then(setTemplates)
      .catch(() => undefined);
  }, [client]);

  // The OS of the ISO, detected as the path is typed or picked; a disk image's format and size.
  const detectFrom = form.method === 'iso' && form.osAuto ? form.isoPath.trim() : '';
  const imagePath = (form.method === 'import' ? form.importPath : form.method === 'cloud-image' ? form.cloudImage : '').trim();
  useInspection(client, connectionId, detectFrom, 'iso', (result) => {
    setInspected((i) => ({ ...i, iso: { path: detectFrom, result } }));
    setForm((f) => (f.method === 'iso' && f.osAuto ? { ...f, os: result.ok && result.kind === 'iso' ? result.os : null } : f));
  });
  useInspection(client, connectionId, imagePath, 'image', (result) => {
    setInspected((i) => ({ ...i, image: { path: imagePath, result } }));
    // A cloud image's or imported image's overlay is at least as large as the image.
    if (!result.ok || result.kind !== 'image') return;
    setForm((f) => {
      if (f.method !== 'cloud-image' && f.method !== 'import') return f;
      const current = Number(f.diskGiB) * 1024;
      return Number.isFinite(current) && current >= result.virtualSizeMiB ? f : { ...f, diskGiB: formatGiB(result.virtualSizeMiB) };
    });
  });
  const detection = detectionOf(detectFrom, inspected.iso);
  const image = detectionOf(imagePath, inspected.image);

  // Sizes from what osinfo-db recommends for the OS, until the user sets them.
  const osId = form.os?.id;
  const arch = form.arch;
  useEffect(() => {
    let live = true;
    void (async () => {
      const found = await client.call('wizard.defaults', { connectionId, ...(osId && { osId }), ...(arch && { arch }) }).catch(() => null);
      if (!live || !found) return;
      setDefaults(found);
      setForm((f) => (f.sizesTouched ? f : { ...f, memoryMiB: String(found.memoryMiB), vcpus: String(found.vcpus), diskGiB: formatGiB(found.diskMiB) }));
    })();
    return () => {
      live = false;
    };
  }, [client, connectionId, osId, arch]);

  const pages = pagesOf(form);
  const index = pages.indexOf(page);
  const creating = run !== null;

  const showError = (found: WizardFieldError) => {
    setError(found);
    setWarnings([]);
    if (pages.includes(found.page)) setPage(found.page);
  };

  const validate = async (toCheck: WizardPage[]): Promise<boolean> => {
    setError(null);
    const local = toCheck.map((p) => localError(form, p)).find((e) => e !== null);
    if (local) {
      showError(local);
      return false;
    }
    setChecking(true);
    try {
      const { plan, copies } = planOf(form);
      const result = await client.call('wizard.validate', { connectionId, plan, ...(copies && { copies }), pages: toCheck });
      if (!result.ok) {
        showError(result.error);
        return false;
      }
      setWarnings(result.warnings);
      return true;
    } catch (e) {
      setError({ page, field: '', message: message(e) });
      return false;
    } finally {
      setChecking(false);
    }
  };

  const create = async (customXml?: string) => {
    const { plan, copies } = planOf(form);
    setError(null);
    setRun({ operationId: null, progress: null });
    let outcome: WizardOutcome;
    try {
      outcome = await runCreation(
        client,
        {
          connectionId,
          plan,
          ...(copies && { copies }),
          ...(customXml !== undefined && { customXml, autostart }),
          ...(form.saveTemplate && form.templateName.trim() && { saveTemplate: form.templateName.trim() }),
        },
        (progress, operationId) => setRun({ operationId, progress }),
      );
    } catch (e) {
      setRun(null);
      setError({ page, field: '', message: message(e) });
      return;
    }
    setRun(null);
    if (!outcome.ok) {
      const failure = outcome.error;
      const leftovers = failure.rollbackFailures.length > 0 ? ` Left behind: ${failure.rollbackFailures.join('; ')}` : '';
      showError({ page: failure.page, field: failure.field ?? '', message: `${failure.message}${leftovers}` });
      return;
    }
    close();
    const ui = useUi.getState();
    const first = outcome.vms[0];
    if (first) ui.reveal(first.uuid);
    for (const warning of outcome.warnings) ui.showNotice(`${first?.name ?? 'New VM'}: ${warning}`);
    if (first?.started) openVmWindow(connectionId, first.uuid, 'console').catch((e: unknown) => ui.showNotice(`Could not open the console of "${first.name}": ${message(e)}`));
  };

  const finish = async () => {
    if (!(await validate(ALL_PAGES))) return;
    if (!form.customize) {
      await create();
      return;
    }
    setChecking(true);
    try {
      const { plan, copies } = planOf(form);
      const preview = await client.call('wizard.preview', { connectionId, plan, ...(copies && { copies }) });
      if (!preview.ok) {
        showError(preview.error);
        return;
      }
      // Back, then Customize… again keeps the edits while the settings still make the same definition.
      const kept = custom !== null && custom.vmName === preview.vmName && custom.base === preview.xml;
      if (custom !== null && !kept && custom.xml !== custom.base) {
        setWarnings(['The settings changed since the definition was customized: it was made again from them, without the earlier edits']);
      }
      setCustom(kept ? custom : { vmName: preview.vmName, base: preview.xml, xml: preview.xml });
      setPage('customize');
    } catch (e) {
      setError({ page, field: '', message: message(e) });
    } finally {
      setChecking(false);
    }
  };

  const forward = async () => {
    if (page === 'customize') {
      if (custom) await create(custom.xml);
      return;
    }
    if (page === 'summary') {
      await finish();
      return;
    }
    if (await validate([page])) setPage(pages[index + 1]!);
  };

  const back = () => {
    setError(null);
    setWarnings([]);
    setPage(pages[Math.max(0, index - 1)]!);
  };

  const props = {
    form,
    update: (patch: Partial<WizardForm>) => {
      if (error) setError(null);
      update(patch);
    },
    env,
    error,
    browse: (field: PathField, title: string) => setBrowser({ field, title }),
  };

  const customProblems = page === 'customize' && custom ? !checkCustomXml(custom.xml, custom.vmName).ok : false;
  const lastLabel = page === 'customize' ? 'Begin installation' : page === 'summary' ? (form.customize ? 'Customize…' : 'Finish') : 'Forward';
  const stepCount = pages.length;

  let body;
  if (run) {
    const progress = run.progress;
    body = (
      <div className="wizard-page creating" data-testid="wizard-creating">
        <p>{copiesOf(form) > 1 ? `Creating ${copiesOf(form)} virtual machines…` : 'Creating the virtual machine…'}</p>
        <progress max={1} value={progressFraction(progress)} data-testid="wizard-progress" />
        <p className="hint" data-testid="wizard-progress-message" aria-live="polite">
          {progress ? `${progress.count > 1 ? `[${progress.index + 1}/${progress.count}] ` : ''}${progress.message}` : 'Checking…'}
          {progress?.bytes && ` — ${bytes(progress.bytes.done)}${progress.bytes.total ? ` of ${bytes(progress.bytes.total)}` : ''}`}
        </p>
      </div>
    );
  } else if (browser) {
    body = (
      <FileBrowser
        connectionId={connectionId}
        local={env?.local ?? false}
        pools={env?.pools ?? []}
        title={browser.title}
        current={form[browser.field]}
        onChoose={(path) => {
          update({ [browser.field]: path });
          setBrowser(null);
        }}
        onCancel={() => setBrowser(null)}
      />
    );
  } else {
    switch (page) {
      case 'method':
        body = (
          <MethodPage
            {...props}
            connections={connectionList}
            templates={templates}
            applyTemplate={(template) => {
              const plan = template.plan;
              if (!plan) return;
              setForm((f) => (env ? adaptToEnvironment(formFromTemplate(f, plan), env) : formFromTemplate(f, plan)));
              // The template names its OS by id: the list entry comes from the catalogue.
              const templateOs = plan.osId;
              if (templateOs) {
                void client
                  .call('wizard.searchOs', { query: templateOs, includeEol: true, limit: 1 })
                  .then((found) => setForm((f) => ({ ...f, os: found[0]?.id === templateOs ? found[0] : f.os })))
                  .catch(() => undefined);
              }
            }}
          />
        );
        break;
      case 'source':
        body = <SourcePage {...props} detection={detection} image={image} />;
        break;
      case 'resources':
        body = <ResourcesPage {...props} defaults={defaults} />;
        break;
      case 'storage':
        body = <StoragePage {...props} />;
        break;
      case 'summary':
        body = <SummaryPage {...props} />;
        break;
      case 'customize':
        body = custom && (
          <CustomizeEditor
            connectionId={connectionId}
            env={env}
            vmName={custom.vmName}
            xml={custom.xml}
            onChange={(xml) => setCustom((c) => c && { ...c, xml })}
            autostart={autostart}
            setAutostart={setAutostart}
          />
        );
        break;
    }
  }

  return (
    <Modal title="New virtual machine" onClose={() => !creating && close()} testId="new-vm-wizard" className="wizard">
      <form
        className="form wizard-form"
        // The pages' checks are ours (and the backend's), with messages on the page; the browser's would block them.
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!checking && !creating && !browser) void forward();
        }}
      >
        <p className="wizard-step" data-testid="wizard-step">
          Step {Math.min(index + 1, stepCount)} of {stepCount}: <strong>{PAGE_TITLES[page]}</strong>
        </p>
        {envError && (
          <p className="error" role="alert">
            {envError}
          </p>
        )}
        {error && !creating && (
          <p className="error" role="alert" data-testid="wizard-error" data-page={error.page} data-field={error.field}>
            {error.message}
          </p>
        )}
        {warnings.length > 0 && !creating && !browser && (
          <ul className="warnings" data-testid="wizard-warnings">
            {warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        )}
        {body}
        {!browser && (
          <div className="dialog-buttons">
            <button type="button" onClick={close} disabled={creating} data-testid="wizard-cancel">
              Cancel
            </button>
            <span className="toolbar-gap" />
            <button type="button" onClick={back} disabled={index === 0 || checking || creating} data-testid="wizard-back">
              Back
            </button>
            <button type="submit" disabled={checking || creating || !env || customProblems} data-testid={page === 'summary' || page === 'customize' ? 'wizard-finish' : 'wizard-forward'}>
              {checking ? 'Checking…' : lastLabel}
            </button>
          </div>
        )}
      </form>
    </Modal>
  );
}
