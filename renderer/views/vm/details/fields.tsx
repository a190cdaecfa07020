// Form controls of the Details pages: a label, the input, and the issues about it right below.
import { type ReactNode, createContext, useContext, useId, useState } from 'react';
import type { DetailsIssue } from '../../../../shared/details/model.js';

export function IssueList({ issues, subject, testId }: { issues: readonly DetailsIssue[]; subject: string | readonly string[]; testId?: string }) {
  const subjects = typeof subject === 'string' ? [subject] : subject;
  const mine = issues.filter((issue) => subjects.includes(issue.subject));
  if (mine.length === 0) return null;
  return (
    <ul className="dt-issues" role="alert" data-testid={testId ?? `issue-${subjects[0]}`}>
      {mine.map((issue, index) => (
        <li key={index}>
          {issue.line !== undefined && `Line ${issue.line}${issue.column !== undefined ? `, column ${issue.column}` : ''}: `}
          {issue.message}
        </li>
      ))}
    </ul>
  );
}

interface RowProps {
  label: string;
  children: (id: string) => ReactNode;
  hint?: ReactNode;
}

export function Row({ label, children, hint }: RowProps) {
  const id = useId();
  return (
    <div className="dt-row">
      <label htmlFor={id}>{label}</label>
      <div className="dt-control">
        {children(id)}
        {hint !== undefined && <span className="dt-hint">{hint}</span>}
      </div>
    </div>
  );
}

export function ReadOnlyRow({ label, value, testId }: { label: string; value: ReactNode; testId?: string }) {
  return (
    <div className="dt-row">
      <span className="dt-label">{label}</span>
      <div className="dt-control dt-readonly" data-testid={testId}>
        {value === '' || value === undefined || value === null ? '—' : value}
      </div>
    </div>
  );
}

interface TextFieldProps {
  label: string;
  value: string | undefined;
  /** undefined for an empty field. */
  onChange(value: string | undefined): void;
  placeholder?: string;
  testId?: string;
  hint?: ReactNode;
  multiline?: boolean;
  list?: string;
  disabled?: boolean;
  /** Shown after the input (a Browse button). */
  addon?: ReactNode;
}

export function TextField({
  label,
  value,
  onChange,
  placeholder,
  testId,
  hint,
  multiline,
  list,
  disabled,
  addon,
}: TextFieldProps) {
  return (
    <Row label={label} hint={hint}>
      {(id) =>
        multiline ? (
          <textarea id={id} value={value ?? ''} placeholder={placeholder} data-testid={testId} disabled={disabled} rows={3} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)} />
        ) : (
          <>
            <input
              id={id}
              type="text"
              value={value ?? ''}
              placeholder={placeholder}
              data-testid={testId}
              list={list}
              disabled={disabled}
              onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
            />
            {addon}
          </>
        )
      }
    </Row>
  );
}

/** Opens the file and volume browser and calls `choose` with the picked path; provided by the Details tab. */
export type BrowsePath = (title: string, current: string | undefined, choose: (path: string) => void) => void;
export const BrowsePathContext = createContext<BrowsePath | null>(null);

/** A path on the VM's host: typed, or picked with the browser when there is one. */
export function PathField({ browseTitle, ...props }: TextFieldProps & { browseTitle: string }) {
  const browse = useContext(BrowsePathContext);
  const addon = browse && (
    <button type="button" onClick={() => browse(browseTitle, props.value, props.onChange)} disabled={props.disabled} data-testid={props.testId && `${props.testId}-browse`}>
      Browse…
    </button>
  );
  return <TextField {...props} addon={addon} />;
}

/**
 * A whole-number field. What is typed stays as typed; it is written to the document only while it
 * is a number in range, so clearing the field to retype does not drop the setting from the XML.
 */
export function NumberField({
  label,
  value,
  onChange,
  min,
  max,
  unit,
  testId,
  hint,
  disabled,
}: {
  label: string;
  value: number | undefined;
  onChange(value: number): void;
  min?: number;
  max?: number;
  unit?: string;
  testId?: string;
  hint?: ReactNode;
  disabled?: boolean;
}) {
  const [draft, setDraft] = useState(value === undefined ? '' : String(value));
  const [focused, setFocused] = useState(false);
  // The document changed from elsewhere (Revert, the XML tab): show its value unless being typed in.
  const [shown, setShown] = useState(value);
  if (value !== shown && !focused) {
    setShown(value);
    setDraft(value === undefined ? '' : String(value));
  }
  const parsed = /^\s*[0-9]+\s*$/.test(draft) ? Number(draft) : undefined;
  const problem =
    draft.trim() === '' ? 'Enter a number' : parsed === undefined ? `'${draft}' is not a whole number` : min !== undefined && parsed < min ? `At least ${min}` : max !== undefined && parsed > max ? `At most ${max}` : null;
  return (
    <Row label={label} hint={hint}>
      {(id) => (
        <>
          <input
            id={id}
            type="text"
            inputMode="numeric"
            value={draft}
            data-testid={testId}
            disabled={disabled}
            aria-invalid={problem !== null}
            onFocus={() => setFocused(true)}
            onBlur={() => {
              setFocused(false);
              setShown(value);
              setDraft(value === undefined ? '' : String(value));
            }}
            onChange={(e) => {
              setDraft(e.target.value);
              const next = /^\s*[0-9]+\s*$/.test(e.target.value) ? Number(e.target.value) : undefined;
              if (next !== undefined && (min === undefined || next >= min) && (max === undefined || next <= max)) onChange(next);
            }}
          />
          {unit && <span className="dt-unit">{unit}</span>}
          {problem !== null && (
            <span className="dt-field-problem" role="alert">
              {problem}
            </span>
          )}
        </>
      )}
    </Row>
  );
}

export function SelectField<T extends string>({
  label,
  value,
  options,
  onChange,
  testId,
  hint,
  disabled,
  allowNone,
}: {
  label: string;
  value: T | undefined;
  options: ReadonlyArray<T | readonly [T, string]>;
  onChange(value: T | undefined): void;
  testId?: string;
  hint?: ReactNode;
  disabled?: boolean;
  /** Offer "(default)" for unset. */
  allowNone?: boolean | string;
}) {
  const entries = options.map((option) => (typeof option === 'string' ? ([option, option] as const) : option));
  const known = value === undefined || entries.some(([key]) => key === value);
  return (
    <Row label={label} hint={hint}>
      {(id) => (
        <select id={id} value={value ?? ''} data-testid={testId} disabled={disabled} onChange={(e) => onChange(e.target.value === '' ? undefined : (e.target.value as T))}>
          {(allowNone || value === undefined) && <option value="">{typeof allowNone === 'string' ? allowNone : '(default)'}</option>}
          {!known && <option value={value}>{value}</option>}
          {entries.map(([key, text]) => (
            <option key={key} value={key}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Row>
  );
}

export function CheckField({ label, checked, onChange, testId, hint, disabled }: { label: string; checked: boolean; onChange(checked: boolean): void; testId?: string; hint?: ReactNode; disabled?: boolean }) {
  return (
    <Row label={label} hint={hint}>
      {(id) => <input id={id} type="checkbox" checked={checked} data-testid={testId} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />}
    </Row>
  );
}
