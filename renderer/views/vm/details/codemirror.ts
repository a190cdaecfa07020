// CodeMirror 6 for the XML editors (loaded on demand by XmlEditor.tsx, so windows that never show
// an XML editor never load it): XML highlighting, well-formedness errors inline (shared/xml's
// parser, the one the backend uses), problems from libvirt at their line, and a read-only
// unified diff.
import { xml as xmlLanguage } from '@codemirror/lang-xml';
import { type Diagnostic, forceLinting, lintGutter, linter } from '@codemirror/lint';
import { unifiedMergeView } from '@codemirror/merge';
import { EditorState, StateEffect } from '@codemirror/state';
import { EditorView, basicSetup } from 'codemirror';
import type { DetailsIssue } from '../../../../shared/details/model.js';
import { XmlSyntaxError, parse } from '../../../../shared/xml/document.js';
import { installCspStyleShims } from '../console/csp-styles.js';

/** Offset of a 1-based line and column in a document. */
function offsetOf(state: EditorState, line: number, column: number): number {
  const lineInfo = state.doc.line(Math.min(Math.max(line, 1), state.doc.lines));
  return Math.min(lineInfo.from + Math.max(column - 1, 0), lineInfo.to);
}

/** Where an issue is marked: its column, else the text of its line (libvirt's schema errors have no column), else the start. */
function issueRange(state: EditorState, issue: DetailsIssue): { from: number; to: number } {
  if (issue.line === undefined) return { from: 0, to: 0 };
  if (issue.column !== undefined) {
    const at = offsetOf(state, issue.line, issue.column);
    return { from: at, to: at };
  }
  const line = state.doc.line(Math.min(Math.max(issue.line, 1), state.doc.lines));
  return { from: line.from + (line.text.length - line.text.trimStart().length), to: line.to };
}

/** Well-formedness problems of an XML text, as editor diagnostics. */
export function wellFormedness(state: EditorState): Diagnostic[] {
  const text = state.doc.toString();
  try {
    parse(text);
    return [];
  } catch (e) {
    if (!(e instanceof XmlSyntaxError)) return [];
    const from = Math.min(e.offset, text.length);
    return [{ from, to: Math.min(from + 1, text.length), severity: 'error', message: e.reason, source: 'XML' }];
  }
}

export interface XmlEditorOptions {
  doc: string;
  readOnly: boolean;
  /** Whether the text must be one XML document (a fragment's editor reports its own problems as issues). */
  checkWellFormed: boolean;
  label: string;
  onChange(value: string): void;
  /** Problems reported from elsewhere (libvirt), read whenever the editor lints. */
  issues(): readonly DetailsIssue[];
}

export interface XmlEditorHandle {
  setDoc(value: string): void;
  /** Shows changed issues() now. */
  relint(): void;
  destroy(): void;
}

/** Dispatched when issues() changed: forceLinting alone only hurries a lint already due after an edit. */
const issuesChanged = StateEffect.define<null>();

export function createXmlEditor(parent: HTMLElement, options: XmlEditorOptions): XmlEditorHandle {
  // CodeMirror styles itself with <style> elements and style attributes, which the CSP refuses.
  installCspStyleShims();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.doc,
      extensions: [
        basicSetup,
        xmlLanguage(),
        lintGutter(),
        linter(
          (v) => [
            ...(options.checkWellFormed ? wellFormedness(v.state) : []),
            ...options.issues().map((issue): Diagnostic => ({ ...issueRange(v.state, issue), severity: 'error', message: issue.message })),
          ],
          { delay: 150, needsRefresh: (update) => update.transactions.some((tr) => tr.effects.some((effect) => effect.is(issuesChanged))) },
        ),
        EditorState.readOnly.of(options.readOnly),
        EditorView.editable.of(!options.readOnly),
        EditorView.contentAttributes.of({ 'aria-label': options.label }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) options.onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    setDoc: (value) => {
      const current = view.state.doc.toString();
      if (current !== value) view.dispatch({ changes: { from: 0, to: current.length, insert: value } });
    },
    relint: () => {
      view.dispatch({ effects: issuesChanged.of(null) });
      forceLinting(view);
    },
    destroy: () => view.destroy(),
  };
}

/** The edited XML against the one it started from, as one read-only document with changes marked. */
export function createXmlDiff(parent: HTMLElement, original: string, modified: string): { destroy(): void } {
  installCspStyleShims();
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: modified,
      extensions: [
        basicSetup,
        xmlLanguage(),
        EditorState.readOnly.of(true),
        EditorView.editable.of(false),
        unifiedMergeView({ original, mergeControls: false, highlightChanges: true, gutter: true }),
      ],
    }),
  });
}
