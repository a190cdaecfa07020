// The Details tab's data: the VM's details from the backend, the edited next-boot XML (dirty while
// it differs from the loaded one), autostart, issues, and apply / revert.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ApplyOutcome, DetailsIssue, VmDetails } from '../../../../shared/details/model.js';
import { ApiCallError } from '../../../../shared/api/errors.js';
import type { DomainConfig } from '../../../../shared/xml/domain.js';
import type { Device } from '../../../../shared/xml/devices.js';
import { useApi } from '../../../api/context.js';
import { editXml, issuesFromError, type Parsed, parseWorking } from './details-model.js';

export interface DetailsState {
  details: VmDetails | null;
  loadError: string | null;
  /** The edited next-boot XML (may be malformed while typed in the XML tab). */
  working: string;
  parsed: Parsed | null;
  autostart: boolean;
  dirty: boolean;
  /** Problems of the edit as it stands (shared/xml validate, well-formedness) and from the last refused apply. */
  issues: DetailsIssue[];
  /** Why the last apply was refused (also among `issues`). */
  refused: DetailsIssue[];
  /** libvirt's definition changed while this edit was open. */
  changedElsewhere: boolean;
  /** Counts the times the edit was replaced whole (Revert, a successful Apply): views with drafts of their own start over. */
  generation: number;
  applying: boolean;
  lastOutcome: ApplyOutcome | null;
  /** Edits the document; returns the id, afterwards, of the device the change returned. */
  edit(change: (config: DomainConfig) => Device | void): string | undefined;
  setWorking(xml: string): void;
  setAutostart(autostart: boolean): void;
  revert(): void;
  apply(): Promise<ApplyOutcome | null>;
  /** libvirt's schema's problems with `xml` (nothing is applied); empty when valid. */
  validate(xml: string): Promise<DetailsIssue[]>;
  dismissOutcome(): void;
}

interface Edit {
  details: VmDetails | null;
  working: string;
  autostart: boolean;
  serverIssues: DetailsIssue[];
  changedElsewhere: boolean;
}

const isDirty = (edit: Edit) => edit.details !== null && (edit.working !== edit.details.inactiveXml || edit.autostart !== edit.details.autostart);

/** The state after loading `next`: an open edit is kept (its base stays what it was made against). */
export function adoptDetails(previous: Edit, next: VmDetails, force: boolean): Edit {
  if (force || previous.details === null || !isDirty(previous)) {
    return { details: next, working: next.inactiveXml, autostart: next.autostart, serverIssues: force ? [] : previous.serverIssues, changedElsewhere: false };
  }
  const loaded = previous.details;
  return {
    ...previous,
    details: { ...next, inactiveXml: loaded.inactiveXml, autostart: loaded.autostart },
    changedElsewhere: previous.changedElsewhere || next.inactiveXml !== loaded.inactiveXml,
  };
}

export function useDetails(connectionId: string, uuid: string, active: boolean, stateKey: string | undefined): DetailsState {
  const client = useApi();
  const [state, setState] = useState<Edit>({ details: null, working: '', autostart: false, serverIssues: [], changedElsewhere: false });
  const [loadError, setLoadError] = useState<string | null>(null);
  const [applying, setApplying] = useState(false);
  const [lastOutcome, setLastOutcome] = useState<ApplyOutcome | null>(null);
  const [generation, setGeneration] = useState(0);

  const load = useCallback(
    (force: boolean) =>
      client.call('details.get', { connectionId, uuid }).then(
        (loaded) => {
          setLoadError(null);
          setState((previous) => adoptDetails(previous, loaded, force));
          return loaded;
        },
        (e: unknown) => setLoadError((e as Error).message),
      ),
    [client, connectionId, uuid],
  );

  // (Re)load when shown and whenever the VM's state changes: the live XML changes with it.
  useEffect(() => {
    if (active && stateKey !== undefined) void load(false);
  }, [active, stateKey, load]);

  useEffect(
    () =>
      client.on('details.changed', (payload) => {
        if (payload.connectionId === connectionId && payload.uuid.toLowerCase() === uuid.toLowerCase()) void load(false);
      }),
    [client, connectionId, uuid, load],
  );

  const { details, working, autostart, serverIssues, changedElsewhere } = state;
  const parsed = useMemo(() => (details === null ? null : parseWorking(working)), [details, working]);
  const issues = useMemo(() => {
    const local = parsed === null ? [] : parsed.ok ? parsed.config.validate().map(({ subject, message }) => ({ subject, message })) : [parsed.issue];
    const seen = new Set(local.map((issue) => `${issue.subject}\n${issue.message}`));
    return [...local, ...serverIssues.filter((issue) => !seen.has(`${issue.subject}\n${issue.message}`))];
  }, [parsed, serverIssues]);

  const setWorking = useCallback((xml: string) => setState((previous) => ({ ...previous, working: xml, serverIssues: [] })), []);

  const edit = (change: (config: DomainConfig) => Device | void) => {
    const result = editXml(working, change);
    setWorking(result.xml);
    return result.follow;
  };

  const revert = () => {
    setLastOutcome(null);
    setGeneration((n) => n + 1);
    if (details !== null) setState((previous) => adoptDetails(previous, details, true));
    void load(true);
  };

  const apply = async (): Promise<ApplyOutcome | null> => {
    if (details === null) return null;
    setApplying(true);
    setState((previous) => ({ ...previous, serverIssues: [] }));
    try {
      const outcome = await client.call('details.apply', {
        connectionId,
        uuid,
        base: details.inactiveXml,
        xml: working,
        ...(autostart !== details.autostart && { autostart }),
      });
      setLastOutcome(outcome);
      setState((previous) => adoptDetails(previous, outcome.details, true));
      setGeneration((n) => n + 1);
      return outcome;
    } catch (e) {
      const error = e instanceof ApiCallError ? e : null;
      setState((previous) => ({ ...previous, serverIssues: issuesFromError(error?.issues, (e as Error).message) }));
      return null;
    } finally {
      setApplying(false);
    }
  };

  const dirty = isDirty(state);

  // Closing the window with unapplied changes asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  return {
    details,
    loadError,
    working,
    parsed,
    autostart,
    dirty,
    issues,
    refused: serverIssues,
    changedElsewhere,
    generation,
    applying,
    lastOutcome,
    edit,
    setWorking,
    setAutostart: (value: boolean) => setState((previous) => ({ ...previous, autostart: value, serverIssues: [] })),
    revert,
    apply,
    validate: (xml: string) => client.call('details.validate', { connectionId, xml }),
    dismissOutcome: () => setLastOutcome(null),
  };
}
