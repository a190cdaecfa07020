// The XML editors of the Details tab (and the New VM wizard's customize step): CodeMirror 6,
// loaded on first use (./codemirror.ts), with XML highlighting, well-formedness errors inline,
// errors from libvirt at their line, and a read-only unified diff before applying.
import { useEffect, useRef } from 'react';
import type { DetailsIssue } from '../../../../shared/details/model.js';
import type { XmlEditorHandle } from './codemirror.js';

export interface XmlEditorProps {
  value: string;
  onChange?(value: string): void;
  /** Problems found elsewhere (libvirt, a fragment's own checks), shown at their line or at the top. */
  issues?: readonly DetailsIssue[];
  readOnly?: boolean;
  /** false for a fragment of several elements, whose editor reports its own problems as issues. */
  checkWellFormed?: boolean;
  label: string;
  testId?: string;
}

const NO_ISSUES: readonly DetailsIssue[] = [];

export function XmlEditor({ value, onChange, issues = NO_ISSUES, readOnly = false, checkWellFormed = true, label, testId }: XmlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<XmlEditorHandle | null>(null);
  // What the editor reads when it is created (asynchronously) and when it calls back.
  const latest = useRef({ value, onChange, issues });
  useEffect(() => {
    const issuesChanged = latest.current.issues !== issues;
    latest.current = { value, onChange, issues };
    if (issuesChanged) editor.current?.relint();
  });

  useEffect(() => {
    let cancelled = false;
    void import('./codemirror.js').then(({ createXmlEditor }) => {
      const parent = host.current;
      if (cancelled || !parent) return;
      editor.current = createXmlEditor(parent, {
        doc: latest.current.value,
        readOnly,
        checkWellFormed,
        label,
        onChange: (text) => latest.current.onChange?.(text),
        issues: () => latest.current.issues,
      });
      return undefined;
    });
    return () => {
      cancelled = true;
      editor.current?.destroy();
      editor.current = null;
    };
  }, [readOnly, checkWellFormed, label]);

  useEffect(() => {
    editor.current?.setDoc(value);
  }, [value]);

  return <div className="dt-xml-editor" ref={host} data-testid={testId} />;
}

/** The edited XML against the one it started from, as one read-only document with changes marked. */
export function XmlDiff({ original, modified, testId }: { original: string; modified: string; testId?: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let cancelled = false;
    let diff: { destroy(): void } | null = null;
    void import('./codemirror.js').then(({ createXmlDiff }) => {
      if (!cancelled && host.current) diff = createXmlDiff(host.current, original, modified);
      return undefined;
    });
    return () => {
      cancelled = true;
      diff?.destroy();
    };
  }, [original, modified]);
  return <div className="dt-xml-editor dt-xml-diff" ref={host} data-testid={testId} />;
}
