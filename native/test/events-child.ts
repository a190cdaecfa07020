// Child process of events.test.ts: subscribes on test:///default, produces events, ends the
// subscription one way or another, prints one JSON line and must then exit by itself
// (no process.exit: a leftover thread-safe function would keep it alive and fail the test).
import { type NativeEvent, loadBinding } from '../index.js';

const mode = process.argv[2] ?? 'close';
const lv = loadBinding();

async function main(): Promise<void> {
  const conn = await lv.open('test:///default');
  let events = 0;
  let uncaught = 0;
  let first!: () => void;
  const gotOne = new Promise<void>((r) => {
    first = r;
  });
  if (mode === 'throwing-listener') process.on('uncaughtException', () => uncaught++);
  await lv.subscribeEvents(conn, (e: NativeEvent) => {
    events++;
    first();
    if (mode === 'throwing-listener') throw new Error(`listener failure on ${e.type}`);
  });
  await lv.domainSuspend(conn, 'test');
  await lv.domainResume(conn, 'test');
  await gotOne;

  switch (mode) {
    case 'close':
      await lv.close(conn);
      break;
    case 'close-queued': {
      // Close while events are still queued towards JS, and while more are being emitted.
      const burst: Promise<unknown>[] = [];
      for (let i = 0; i < 50; i++) burst.push(lv.domainSuspend(conn, 'test').then(() => lv.domainResume(conn, 'test')));
      await Promise.allSettled(burst);
      await lv.close(conn);
      break;
    }
    case 'unsubscribe':
      // The connection stays open: it must not keep the process alive either.
      await lv.unsubscribeEvents(conn);
      break;
    case 'throwing-listener':
      await new Promise((r) => setTimeout(r, 200));
      await lv.close(conn);
      break;
    default:
      throw new Error(`unknown mode ${mode}`);
  }
  console.log(JSON.stringify({ mode, events, uncaught }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
