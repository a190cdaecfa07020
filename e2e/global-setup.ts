// Starts the browser shell (npm run serve) on a random port with a throwaway config dir, and
// hands its printed URL to the tests in VIREO_URL. Returns the teardown.
import { startShell } from './shell.js';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const shell = await startShell();
  process.env.VIREO_URL = shell.url;
  return () => shell.stop();
}
