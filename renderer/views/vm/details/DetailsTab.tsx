// The VM window's Details tab (virt-manager's Details pages): a list of pages (Overview,
// Performance, CPUs, Memory, Boot Options, then each device), each with its settings and its XML;
// Add Hardware and Remove; Apply (after a review of the XML diff and of what changes now and what
// at the next boot) and Revert, enabled while the edit differs from libvirt's definition.
//
// XML is the source of truth: every form edits the loaded next-boot XML in place through
// shared/xml, so what the forms do not know about is applied exactly as it was.
import './details.css';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { DetailsIssue, HostResources } from '../../../../shared/details/model.js';
import { isXmlPage } from '../../../../shared/details/page-xml.js';
import type { Device } from '../../../../shared/xml/devices.js';
import type { VmState } from '../../../../shared/models/vm.js';
import { useApi } from '../../../api/context.js';
import { Modal } from '../../../components/Modal.js';
import { AddHardwareDialog, addHardware } from './AddHardware.js';
import { DevicePage } from './DevicePage.js';
import { BootPage, CpuPage, MemoryPage, OverviewPage, PerformancePage } from './GeneralPages.js';
import { XmlDiff } from './XmlEditor.js';
import { DeviceXml, DomainXml, PageXml } from './XmlViews.js';
import { describeChange, pageOf, pagesOf, previewApply } from './details-model.js';
import { type DetailsState, useDetails } from './use-details.js';
import { BrowsePathContext, type BrowsePath } from './fields.js';
import { FileBrowser } from '../../../components/FileBrowser.js';

export interface DetailsTabProps {
  connectionId: string;
  uuid: string;
  /** The VM's state: the live XML changes with it. */
  state: VmState | undefined;
  visible: boolean;
}

const isRunning = (state: VmState | undefined) => state !== undefined && state !== 'shutoff' && state !== 'crashed' && state !== 'nostate';

export function DetailsTab({ connectionId, uuid, state, visible }: DetailsTabProps) {
  const client = useApi();
  const model = useDetails(connectionId, uuid, visible, state);
  const [chosenPage, setPage] = useState('overview');
  const [view, setView] = useState<'form' | 'xml'>('form');
  const [adding, setAdding] = useState(false);
  const [reviewing, setReviewing] = useState(false);
  /** What the backend warns about in the edit under review (a disk another VM writes); null while asked. */
  const [reviewWarnings, setReviewWarnings] = useState<DetailsIssue[] | null>(null);
  const [resources, setResources] = useState<HostResources | null>(null);
  const [browsing, setBrowsing] = useState<{ title: string; current: string; choose(path: string): void } | null>(null);
  const browsePath = useCallback<BrowsePath>((title, current, choose) => setBrowsing({ title, current: current ?? '', choose }), []);
  const { details, parsed, issues } = model;
  const config = parsed?.ok ? parsed.config : null;
  const running = isRunning(details?.state ?? state);

  useEffect(() => {
    if (!visible || resources !== null) return;
    let current = true;
    client.call('details.hostResources', { connectionId }).then(
      (found) => current && setResources(found),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client, connectionId, visible, resources]);

  useEffect(() => {
    if (!reviewing) return;
    let current = true;
    setReviewWarnings(null);
    client.call('details.warnings', { connectionId, uuid, xml: model.working }).then(
      (found) => current && setReviewWarnings(found),
      () => current && setReviewWarnings([]), // only warnings: Apply itself says what is wrong
    );
    return () => {
      current = false;
    };
    // The edit cannot change while the review is open.
    // oxlint-disable-next-line react-hooks/exhaustive-deps
  }, [reviewing, client, connectionId, uuid]);

  const pages = useMemo(() => pagesOf(config), [config]);
  // A page that went away (device removed, Revert) shows the overview.
  const page = config === null || chosenPage === 'xml' || pages.some((entry) => entry.id === chosenPage) ? chosenPage : 'overview';
  const devices = config?.devices() ?? [];
  const deviceIndex = devices.findIndex((candidate) => candidate.id === page);
  const device = devices[deviceIndex];
  // Keyed by position, not id: typing a MAC changes the id, and the page must keep its focus.
  const deviceKey = `device-${deviceIndex}`;

  const pending = details?.pending ?? [];
  const pendingPages = new Set(pending.map((change) => change.page));
  const issuePages = new Set(issues.map((issue) => pageOf(issue.subject)));

  if (details === null) {
    return (
      <section className="details-tab dt" aria-label="Details" data-testid="details-tab">
        {model.loadError ? <p role="alert">Could not read the VM's configuration: {model.loadError}</p> : <p className="empty">Loading…</p>}
      </section>
    );
  }

  const editDevice = (id: string) => (change: (device: Device, c: typeof config & object) => void) => {
    const follow = model.edit((c) => {
      const target = c.device(id);
      if (!target) return;
      change(target, c);
      return target;
    });
    if (follow !== undefined && follow !== id) setPage(follow);
  };

  const pageProps = config && { config, details, edit: model.edit, issues, running };
  let content;
  if (config === null || page === 'xml') content = <DomainXml model={model} />;
  else if (view === 'xml' && device) content = <DeviceXml key={`${deviceKey}@${model.generation}`} device={device} model={model} onFollow={setPage} />;
  else if (view === 'xml' && isXmlPage(page)) content = <PageXml key={`${page}@${model.generation}`} page={page} config={config} model={model} />;
  else if (page === 'overview') content = <OverviewPage {...pageProps!} />;
  else if (page === 'performance') content = <PerformancePage details={details} />;
  else if (page === 'cpu') content = <CpuPage {...pageProps!} />;
  else if (page === 'memory') content = <MemoryPage {...pageProps!} />;
  else if (page === 'boot') content = <BootPage {...pageProps!} autostart={model.autostart} setAutostart={model.setAutostart} />;
  else if (device) {
    content = (
      <DevicePage
        key={deviceKey}
        device={device}
        config={config}
        details={details}
        issues={issues}
        resources={resources}
        running={running}
        editDevice={editDevice(device.id)}
        remove={() => {
          model.edit((c) => {
            const target = c.device(device.id);
            if (target) c.removeDevice(target);
          });
          setPage('overview');
        }}
      />
    );
  }

  const preview = config ? previewApply(details, config, running) : null;

  return (
    <BrowsePathContext.Provider value={browsePath}>
      <section className="details-tab dt" aria-label="Details" data-testid="details-tab">
        <div className="dt-layout">
          <nav className="dt-sidebar" aria-label="Details pages">
            <ul>
              {pages.map((entry, index) => (
                <li key={entry.id} className={index > 0 && entry.group !== pages[index - 1]!.group ? 'dt-group-start' : undefined}>
                  <button type="button" aria-current={entry.id === page ? 'page' : undefined} onClick={() => setPage(entry.id)} data-testid={`page-link-${entry.id}`}>
                    {entry.label}
                    {issuePages.has(entry.id) && <span className="dt-mark dt-mark-error" title="Has problems"> !</span>}
                    {pendingPages.has(entry.id) && <span className="dt-mark" title="Changes at the next boot"> •</span>}
                  </button>
                </li>
              ))}
              <li className="dt-group-start">
                <button type="button" aria-current={page === 'xml' ? 'page' : undefined} onClick={() => setPage('xml')} data-testid="page-link-xml">
                  Domain XML
                  {issuePages.has('xml') && <span className="dt-mark dt-mark-error"> !</span>}
                </button>
              </li>
            </ul>
            <button type="button" className="dt-add" onClick={() => setAdding(true)} disabled={config === null} data-testid="add-hardware-button">
              Add Hardware
            </button>
          </nav>
          <div className="dt-main">
            {page !== 'xml' && page !== 'performance' && config !== null && (
              <div className="dt-view-tabs" role="tablist" aria-label="Page view">
                <button type="button" role="tab" aria-selected={view === 'form'} onClick={() => setView('form')} data-testid="view-details">
                  Details
                </button>
                <button type="button" role="tab" aria-selected={view === 'xml'} onClick={() => setView('xml')} data-testid="view-xml">
                  XML
                </button>
              </div>
            )}
            {model.changedElsewhere && (
              <div className="dt-banner" role="alert" data-testid="changed-elsewhere">
                The VM's configuration was changed elsewhere while you edited it. Revert to load it (your changes are dropped).
              </div>
            )}
            {parsed && !parsed.ok && page !== 'xml' && view !== 'xml' && <p className="dt-banner">The XML has errors: fix them in the XML view, or Revert.</p>}
            <div className="dt-content">{content}</div>
          </div>
        </div>
        {running && pending.length > 0 && (
          <div className="dt-pending" data-testid="pending">
            <strong>Takes effect at the next boot:</strong>
            <ul>
              {pending.map((change, index) => (
                <li key={index}>{describeChange(change)}</li>
              ))}
            </ul>
          </div>
        )}
        <Outcome model={model} />
        {model.refused.length > 0 && (
          <div className="dt-refused" role="alert" data-testid="apply-error">
            <strong>Not applied; nothing was changed:</strong>
            <ul>
              {model.refused.map((issue, index) => (
                <li key={index}>
                  {pageOf(issue.subject) !== page && pageOf(issue.subject) !== 'overview' ? (
                    <button type="button" className="dt-link" onClick={() => setPage(pageOf(issue.subject))}>
                      {issue.subject}
                    </button>
                  ) : (
                    `${issue.subject}`
                  )}
                  : {issue.line !== undefined && `line ${issue.line}, column ${issue.column ?? 1}: `}
                  {issue.message}
                </li>
              ))}
            </ul>
          </div>
        )}
        <div className="dt-actions">
          {model.dirty && <span className="dt-dirty" data-testid="dirty">Unapplied changes</span>}
          <button type="button" onClick={model.revert} disabled={!model.dirty || model.applying} data-testid="revert">
            Revert
          </button>
          <button type="button" className="dt-primary" onClick={() => setReviewing(true)} disabled={!model.dirty || model.applying} data-testid="apply">
            Apply
          </button>
        </div>
        {adding && (
          <AddHardwareDialog
            resources={resources}
            vmName={details.name}
            createVolume={async (pool, name, capacityMiB, format) => {
              const { path } = await client.call('details.createVolume', { connectionId, pool, name, capacityMiB, format });
              setResources(null); // lists the new volume
              return path;
            }}
            onClose={() => setAdding(false)}
            add={(type, form) => {
              let failure: Error | null = null;
              const follow = model.edit((c) => {
                try {
                  return addHardware(c, type, form, resources);
                } catch (e) {
                  failure = e as Error;
                  return undefined;
                }
              });
              if (failure) throw failure;
              if (follow !== undefined) {
                setPage(follow);
                setView('form');
              }
              return follow;
            }}
          />
        )}
        {reviewing && (
          <Modal title="Apply changes" onClose={() => setReviewing(false)} testId="apply-review" className="dt-review">
            {preview && preview.now.length > 0 && (
              <>
                <h3>Now, on the running VM</h3>
                <ul data-testid="review-now">
                  {preview.now.map((change, index) => (
                    <li key={index}>{describeChange(change)}</li>
                  ))}
                </ul>
              </>
            )}
            {preview && preview.nextBoot.length > 0 && (
              <>
                <h3>{running ? 'At the next boot' : 'Changes'}</h3>
                <ul data-testid="review-next-boot">
                  {preview.nextBoot.map((change, index) => (
                    <li key={index}>{describeChange(change)}</li>
                  ))}
                </ul>
              </>
            )}
            {model.autostart !== details.autostart && <p>Autostart: {model.autostart ? 'on' : 'off'}</p>}
            <details open>
              <summary>XML changes</summary>
              <XmlDiff original={details.inactiveXml} modified={model.working} testId="review-diff" />
            </details>
            {reviewWarnings !== null && reviewWarnings.length > 0 && (
              <ul className="dt-warning" data-testid="review-warnings">
                {reviewWarnings.map((warning, index) => (
                  <li key={index}>{warning.message}</li>
                ))}
              </ul>
            )}
            {issues.length > 0 && <p className="dt-warning">There are problems: libvirt will be asked anyway, and refuse what it cannot take.</p>}
            <div className="dt-dialog-actions">
              <button type="button" onClick={() => setReviewing(false)}>
                Cancel
              </button>
              <button
                type="button"
                className="dt-primary"
                data-testid="apply-confirm"
                onClick={() => {
                  setReviewing(false);
                  void model.apply();
                }}
              >
                Apply
              </button>
            </div>
          </Modal>
        )}
        {browsing && (
          <Modal title={browsing.title} onClose={() => setBrowsing(null)} testId="path-browser" className="dt-browser">
            <FileBrowser
              connectionId={connectionId}
              local={details.host.local}
              pools={resources?.pools ?? []}
              current={browsing.current}
              onChoose={(path) => {
                browsing.choose(path);
                setBrowsing(null);
              }}
              onCancel={() => setBrowsing(null)}
            />
          </Modal>
        )}
      </section>
    </BrowsePathContext.Provider>
  );
}

function Outcome({ model }: { model: DetailsState }) {
  const outcome = model.lastOutcome;
  if (outcome === null) return null;
  const live = outcome.appliedLive.map(describeChange);
  return (
    <div className="dt-outcome" role="status" data-testid="apply-outcome">
      <span>Applied.</span>
      {live.length > 0 && <span> Changed on the running VM: {live.join('; ')}.</span>}
      {outcome.liveFailures.length > 0 && (
        <ul data-testid="live-failures">
          {outcome.liveFailures.map((failure, index) => (
            <li key={index}>
              {describeChange(failure.change)} — not live ({failure.message}); takes effect at the next boot.
            </li>
          ))}
        </ul>
      )}
      <button type="button" onClick={model.dismissOutcome}>
        Dismiss
      </button>
    </div>
  );
}
