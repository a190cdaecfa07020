// npm run serve -- [--connect URI] [--port N] [--host 127.0.0.1]
// The browser shell: the app's backend and renderer without Electron, for machines where
// Electron cannot run and for the e2e tests.
import { parseArgs } from 'node:util';
import { createBackend } from '../../backend/backend.js';
import { RENDERER_OUT, ensureRendererBuilt } from './renderer-build.js';
import { startBrowserShell } from './server.js';

const { values } = parseArgs({
  options: {
    connect: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number (0 for any free one), not ${values.port}`);
  process.exit(2);
}

await ensureRendererBuilt();
const backend = createBackend({ launchUri: values.connect });
const shell = await startBrowserShell({ backend, staticRoot: RENDERER_OUT, host: values.host, port });
console.log(`Vireo listening on ${shell.url}`);
// Connecting can take a while (a remote host); the page shows the progress.
void backend.start();

async function shutdown(): Promise<void> {
  await shell.close();
  await backend.dispose();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
