// "Customize configuration before install": the VM window's details editors (renderer/views/vm/details:
// the Overview, CPUs, Memory, Boot Options and device pages, and the Domain XML editor) on the
// pending definition from wizard.preview, which exists only here until the installation begins.
import '../vm/details/details.css';
import { useEffect, useMemo, useState } from 'react';
import type { HostResources, VmDetails } from '../../../shared/details/model.js';
import type { WizardEnvironment } from '../../../shared/models/wizard.js';
import { checkCustomXml } from '../../../shared/models/wizard-xml.js';
import type { Device } from '../../../shared/xml/devices.js';
import type { DomainConfig } from '../../../shared/xml/domain.js';
import { useApi } from '../../api/context.js';
import { DevicePage } from '../vm/details/DevicePage.js';
import { BootPage, CpuPage, MemoryPage, OverviewPage } from '../vm/details/GeneralPages.js';
import { XmlEditor } from '../vm/details/XmlEditor.js';
import { editXml, pagesOf, parseWorking } from '../vm/details/details-model.js';

/** The pending VM has no UUID yet; the pages only show it. */
const PENDING_UUID = '00000000-0000-0000-0000-000000000000';

export interface CustomizeEditorProps {
  connectionId: string;
  env: WizardEnvironment | null;
  vmName: string;
  xml: string;
  onChange(xml: string): void;
  autostart: boolean;
  setAutostart(value: boolean): void;
}

export function CustomizeEditor({ connectionId, env, vmName, xml, onChange, autostart, setAutostart }: CustomizeEditorProps) {
  const client = useApi();
  const [chosen, setChosen] = useState('overview');
  const [resources, setResources] = useState<HostResources | null>(null);
  useEffect(() => {
    let live = true;
    void client
      .call('details.hostResources', { connectionId })
      .then((found) => live && setResources(found))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [client, connectionId]);

  const parsed = useMemo(() => parseWorking(xml), [xml]);
  const config = parsed.ok ? parsed.config : null;
  const check = useMemo(() => checkCustomXml(xml, vmName), [xml, vmName]);
  // The pending VM as the details pages expect one: shut off, persistent, nothing live.
  const details: VmDetails = useMemo(
    () => ({
      connectionId,
      uuid: PENDING_UUID,
      name: vmName,
      state: 'shutoff',
      persistent: true,
      autostart,
      inactiveXml: xml,
      liveXml: null,
      pending: [],
      host: { memoryKiB: (env?.host.memoryMiB ?? 0) * 1024, cpus: env?.host.cpus ?? 1, local: env?.local ?? false, hypervisor: env?.uri ?? '' },
      capabilities: null,
      os: null,
    }),
    [connectionId, vmName, autostart, xml, env],
  );
  const edit = (change: (config: DomainConfig) => Device | void): string | undefined => {
    const next = editXml(xml, change);
    if (next.xml !== xml) onChange(next.xml);
    return next.follow;
  };

  // Performance needs a running VM: not offered here.
  const pages = pagesOf(config).filter((entry) => entry.id !== 'performance');
  const page = chosen === 'xml' || config === null || pages.some((entry) => entry.id === chosen) ? chosen : 'overview';
  const device = config?.devices().find((candidate) => candidate.id === page);
  const pageProps = config && { config, details, edit, issues: [], running: false };

  let content;
  if (page === 'xml' || config === null) {
    content = <XmlEditor value={xml} onChange={onChange} label={`Domain XML of ${vmName}`} testId="wizard-xml" />;
  } else if (page === 'overview') content = <OverviewPage {...pageProps!} />;
  else if (page === 'cpu') content = <CpuPage {...pageProps!} />;
  else if (page === 'memory') content = <MemoryPage {...pageProps!} />;
  else if (page === 'boot') content = <BootPage {...pageProps!} autostart={autostart} setAutostart={setAutostart} />;
  else if (device) {
    content = (
      <DevicePage
        key={device.id}
        device={device}
        config={config}
        details={details}
        issues={[]}
        resources={resources}
        running={false}
        editDevice={(change) => {
          const follow = edit((c) => {
            const target = c.device(device.id);
            if (!target) return;
            change(target, c);
            return target;
          });
          if (follow !== undefined && follow !== device.id) setChosen(follow);
        }}
        remove={() => {
          edit((c) => {
            const target = c.device(device.id);
            if (target) c.removeDevice(target);
          });
          setChosen('overview');
        }}
      />
    );
  }

  return (
    <div className="wizard-page customize dt" data-testid="wizard-customize-editor">
      <p className="hint">
        <strong>{vmName}</strong> as it will be after installation: edit it with the details pages or its XML, then begin the installation. libvirt checks it when the
        VM is defined; anything the wizard created is removed again if it refuses it.
      </p>
      <div className="dt-layout">
        <nav className="dt-sidebar" aria-label="Pending VM's details pages">
          <ul>
            {pages.map((entry, index) => (
              <li key={entry.id} className={index > 0 && entry.group !== pages[index - 1]!.group ? 'dt-group-start' : undefined}>
                <button type="button" aria-current={entry.id === page ? 'page' : undefined} onClick={() => setChosen(entry.id)} data-testid={`wizard-page-link-${entry.id}`}>
                  {entry.label}
                </button>
              </li>
            ))}
            <li className="dt-group-start">
              <button type="button" aria-current={page === 'xml' ? 'page' : undefined} onClick={() => setChosen('xml')} data-testid="wizard-page-link-xml">
                Domain XML
              </button>
            </li>
          </ul>
        </nav>
        <div className="dt-main">
          <div className="dt-content">{content}</div>
        </div>
      </div>
      {!check.ok && (
        <ul className="problems" role="alert" data-testid="wizard-xml-problems">
          {check.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
