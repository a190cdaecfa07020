// Tiny lab guests for the details tests (e2e/details.spec.ts, electron/backend/domain-config.test.ts)
// whose serial console is also logged to a file, so a test can wait until the guest has booted
// (hot-unplug needs the guest's cooperation: an early ACPI eject request may never be answered).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GuestOptions, type LabGuest, defineGuest } from '../electron/test/lab.js';

export interface LoggedGuest extends LabGuest {
  /** The serial console log (written by virtlogd while the guest runs). */
  serialLog: string;
}

/** Defines (does not start) a tiny guest that logs its serial console to a file under `dir`. */
export function defineLoggedGuest(dir: string, options: GuestOptions = {}): LoggedGuest {
  const serialLog = join(dir, `serial-${Date.now()}-${Math.random().toString(16).slice(2)}.log`);
  const previous = process.env.SERIAL_LOG;
  // scripts/tiny-guest-xml.sh reads SERIAL_LOG from its environment.
  process.env.SERIAL_LOG = serialLog;
  try {
    return { ...defineGuest(options), serialLog };
  } finally {
    if (previous === undefined) delete process.env.SERIAL_LOG;
    else process.env.SERIAL_LOG = previous;
  }
}

/** Whether the guest's init has printed its ready line (see scripts/make-tiny-guest.sh). */
export function guestBooted(guest: LoggedGuest): boolean {
  return existsSync(guest.serialLog) && readFileSync(guest.serialLog, 'latin1').includes('TINY-GUEST-READY');
}

/** Polls until the guest has booted; throws after `ms`. */
export async function waitForBoot(guest: LoggedGuest, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!guestBooted(guest)) {
    if (Date.now() > deadline) throw new Error(`${guest.name} did not boot within ${ms} ms (serial log: ${guest.serialLog})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
