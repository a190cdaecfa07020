// Test support for the New-VM wizard's tests: an installer ISO osinfo recognises, and running a
// creation through an API session to its end.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventMessage, MethodParams } from '../../shared/api/contract.js';
import type { WizardFinished, WizardOutcome, WizardProgress } from '../../shared/models/wizard.js';

/** A small ISO labelled like Debian 11's installer (osinfo-db detects it by that label), in `dir`. */
export function makeDebianIso(dir: string): string {
  const content = join(dir, 'iso-content');
  mkdirSync(content);
  writeFileSync(join(content, 'README'), 'install me');
  const path = join(dir, 'debian.iso');
  execFileSync('genisoimage', ['-quiet', '-V', 'Debian 11.5.0 amd64 n', '-o', path, content]);
  return path;
}

export interface Creation {
  operationId: string;
  progress: WizardProgress[];
  outcome: WizardOutcome;
}

/** Starts wizard.create with `call` and waits in `events` (the session's, growing) for its end. */
export async function runCreation(
  call: (method: 'wizard.create', params: MethodParams<'wizard.create'>) => Promise<{ operationId: string }>,
  events: readonly EventMessage[],
  params: MethodParams<'wizard.create'>,
): Promise<Creation> {
  const since = events.length;
  const { operationId } = await call('wizard.create', params);
  const isFinished = (m: EventMessage): m is { event: 'wizard.finished'; payload: WizardFinished } => m.event === 'wizard.finished' && m.payload.operationId === operationId;
  let finished = events.slice(since).find(isFinished);
  while (!finished) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    finished = events.slice(since).find(isFinished);
  }
  const progress = events.slice(since).flatMap((m) => (m.event === 'wizard.progress' && m.payload.operationId === operationId ? [m.payload] : []));
  return { operationId, progress, outcome: finished.payload.outcome };
}
