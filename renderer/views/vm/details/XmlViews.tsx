// The Details tab's XML views: the whole next-boot document (with Validate, libvirt's schema check
// without applying), and the parts of it edited on their own (a device; the elements of Overview,
// CPUs, Memory or Boot Options), which go back into the document in place as soon as they are
// accepted.
import { type ReactNode, useMemo, useState } from 'react';
import { PAGE_LABELS } from '../../../../shared/details/config.js';
import type { DetailsIssue } from '../../../../shared/details/model.js';
import { PAGE_ELEMENTS, PageXmlError, type XmlPage, pageXml, setPageXml } from '../../../../shared/details/page-xml.js';
import { parseElement, XmlSyntaxError } from '../../../../shared/xml/document.js';
import type { Device } from '../../../../shared/xml/devices.js';
import type { DomainConfig } from '../../../../shared/xml/domain.js';
import { XmlEditor } from './XmlEditor.js';
import { pageOf } from './details-model.js';
import { IssueList } from './fields.js';
import type { DetailsState } from './use-details.js';

type SchemaCheck = { xml: string; issues: DetailsIssue[] } | { xml: string; failure: string };

/** The whole next-boot XML, edited as text. */
export function DomainXml({ model }: { model: DetailsState }) {
  const [checked, setChecked] = useState<SchemaCheck | null>(null);
  const [checking, setChecking] = useState(false);
  // A check is about the text it was given: an edit since puts it away.
  const check = checked?.xml === model.working ? checked : null;
  const schemaIssues = useMemo(() => (check !== null && 'issues' in check ? check.issues : []), [check]);
  const editorIssues = useMemo(() => [...model.issues.filter((issue) => issue.subject === 'xml'), ...schemaIssues], [model.issues, schemaIssues]);

  const validate = async () => {
    const xml = model.working;
    setChecking(true);
    try {
      setChecked({ xml, issues: await model.validate(xml) });
    } catch (e) {
      setChecked({ xml, failure: (e as Error).message });
    } finally {
      setChecking(false);
    }
  };

  return (
    <section className="dt-page" aria-label="Domain XML" data-testid="page-xml">
      <h2>Domain XML (next boot)</h2>
      <p className="dt-hint">Edits here and in the forms are the same document. Validate checks it against libvirt's schema without applying it; Apply checks it again.</p>
      <div className="dt-xml-tools">
        <button type="button" onClick={() => void validate()} disabled={checking} data-testid="validate">
          Validate
        </button>
        {check !== null && 'issues' in check && check.issues.length === 0 && (
          <span role="status" data-testid="schema-valid">
            Valid against libvirt's schema
          </span>
        )}
        {check !== null && 'failure' in check && (
          <span className="dt-field-problem" role="alert" data-testid="schema-failure">
            Could not validate: {check.failure}
          </span>
        )}
      </div>
      <XmlEditor value={model.working} onChange={model.setWorking} issues={editorIssues} label="Domain XML" testId="domain-xml-editor" />
      <IssueList issues={model.issues} subject="xml" testId="xml-error" />
      <IssueList issues={schemaIssues} subject="xml" testId="schema-issues" />
    </section>
  );
}

/** One device's XML: edits replace the device in the document once they are well-formed. */
export function DeviceXml({ device, model, onFollow }: { device: Device; model: DetailsState; onFollow(id: string): void }) {
  return (
    <FragmentXml
      title={`${device.id} XML`}
      text={device.toXml()}
      testId="page-device-xml"
      editorTestId="device-xml-editor"
      put={(fragment) => {
        const element = parseElement(fragment);
        if (element.name !== device.tag) throw new Error(`The element must stay a <${device.tag}>`);
        const follow = model.edit((c) => {
          const target = c.device(device.id);
          return target ? c.replaceDevice(target, element) : undefined;
        });
        if (follow !== undefined && follow !== device.id) onFollow(follow);
      }}
    >
      <IssueList issues={model.issues} subject={device.id} testId="issue-device" />
    </FragmentXml>
  );
}

/** The elements of Overview, CPUs, Memory or Boot Options (shared/details/page-xml.ts), edited together. */
export function PageXml({ page, config, model }: { page: XmlPage; config: DomainConfig; model: DetailsState }) {
  const subjects = model.issues.map((issue) => issue.subject).filter((subject) => pageOf(subject) === page);
  return (
    <FragmentXml
      title={`${PAGE_LABELS[page]} XML`}
      hint={`${PAGE_ELEMENTS[page].map((name) => `<${name}>`).join(', ')} of the domain XML; anything else is edited in the Domain XML.`}
      text={pageXml(config, page)}
      testId={`page-${page}-xml`}
      editorTestId="page-xml-editor"
      put={(fragment) => model.edit((c) => setPageXml(c, page, fragment))}
    >
      <IssueList issues={model.issues} subject={subjects} testId="issue-page" />
    </FragmentXml>
  );
}

/**
 * A part of the document edited as text. Each edit goes into the document once `put` takes it;
 * until then the problem `put` threw shows at its line and below the editor, and the document
 * keeps the last edit that was taken.
 */
function FragmentXml({ title, hint, text, put, testId, editorTestId, children }: {
  title: string;
  hint?: string;
  /** The fragment as the document has it now. */
  text: string;
  put(fragment: string): void;
  testId: string;
  editorTestId: string;
  children?: ReactNode;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const [problem, setProblem] = useState<DetailsIssue | null>(null);
  const problems = useMemo(() => (problem === null ? [] : [problem]), [problem]);
  return (
    <section className="dt-page" aria-label={title} data-testid={testId}>
      <h2>{title}</h2>
      {hint && <p className="dt-hint">{hint}</p>}
      <XmlEditor
        value={draft ?? text}
        label={title}
        testId={editorTestId}
        checkWellFormed={false}
        issues={problems}
        onChange={(next) => {
          setDraft(next);
          try {
            put(next);
            setProblem(null);
          } catch (e) {
            setProblem(problemOf(e));
          }
        }}
      />
      <IssueList issues={problems} subject="fragment" testId="xml-error" />
      {children}
    </section>
  );
}

function problemOf(e: unknown): DetailsIssue {
  if (e instanceof XmlSyntaxError) return { subject: 'fragment', message: e.reason, line: e.line, column: e.column };
  if (e instanceof PageXmlError) {
    return { subject: 'fragment', message: e.message, ...(e.line !== undefined && { line: e.line }), ...(e.column !== undefined && { column: e.column }) };
  }
  return { subject: 'fragment', message: (e as Error).message };
}
