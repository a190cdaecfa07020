// npm run bench (second part): the manager window at 5 000 test-driver domains, everything
// measured in this one run:
//   1. the raw binding: open + list + every domain's state (what `virsh list --all` does);
//   2. the same list through the app: click Connect in Chromium (browser shell, Playwright) until
//      the VM list holds all 5 000 rows (its data-loaded/data-vm-count attributes), and page load
//      until then; target <= 2x the raw binding;
//   3. the backend process's CPU while stats ticks run every second (its utime+stime from
//      /proc, i.e. process.cpuUsage of that process, over the wall time); target < 10 % of a core;
//   4. the renderer's long tasks (PerformanceObserver 'longtask') during those ticks; target: none > 50 ms.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type Page, chromium } from '@playwright/test';
import { drainBatch, loadBinding } from '../native/index.js';
import { startShell } from '../e2e/shell.js';
import { testDriverUri } from './testdriver.js';

const DOMAINS = Number(process.env.VIREO_BENCH_DOMAINS ?? 5000);
const RUNS = Number(process.env.VIREO_BENCH_RUNS ?? 5);
const TICKS = Number(process.env.VIREO_BENCH_TICKS ?? 10);
const CHROMIUM = process.env.VIREO_CHROMIUM ?? '/usr/bin/chromium';

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(1).padStart(8)} ms`;
const results: boolean[] = [];
function verdict(label: string, value: string, ok: boolean, target: string): void {
  results.push(ok);
  console.log(`${label.padEnd(44)} ${value.padEnd(34)} (target ${target}) ${ok ? 'ok' : 'MISSED'}`);
}

/** One run of the raw binding: open + list + every domain's state. */
async function rawBinding(uri: string): Promise<number> {
  const lv = loadBinding();
  const t0 = performance.now();
  const conn = await lv.open(uri);
  const doms = await drainBatch(await lv.listAllDomains(conn));
  const states = await drainBatch(await lv.getAllDomainStats(conn, ['state']));
  const elapsed = performance.now() - t0;
  await lv.close(conn);
  if (doms.length !== DOMAINS || states.length !== DOMAINS) throw new Error(`expected ${DOMAINS} domains, got ${doms.length}/${states.length}`);
  return elapsed;
}


/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (CLK_TCK 100)
}

/**
 * Set up before the app's own script: the page's long tasks, and a count of the stats ticks the
 * page receives (counted in the page: Playwright's WebSocket frame events would copy every
 * megabyte-sized frame through the DevTools protocol and skew the renderer's figures).
 */
const PAGE_PROBES = `
  window.__longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration }); })
    .observe({ type: 'longtask', buffered: true });
  window.__statsTicks = 0;
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => { if (typeof e.data === 'string' && e.data.startsWith('{"event":"stats.tick"')) window.__statsTicks++; });
    }
  };
`;
const ticksSeen = (page: Page) => page.evaluate<number>('window.__statsTicks');
type LongTask = { start: number; duration: number };
const longTasks = (page: Page, since = 0) => page.evaluate<LongTask[]>(`window.__longTasks.filter((t) => t.start >= ${since})`);

/** Page time when the list holds all DOMAINS rows. */
const LIST_COMPLETE = `[data-testid="vm-list"][data-loaded="true"][data-vm-count="${DOMAINS}"]`;

async function main(): Promise<void> {
  const uri = testDriverUri(DOMAINS);
  console.log(`Vireo manager bench: ${DOMAINS} test-driver domains (${uri}), median of ${RUNS} runs`);
  console.log('Raw binding runs and app runs alternate, so both see the same machine load.');
  const raws: number[] = [];

  const serve = await startShell(['--connect', uri]);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.addInitScript(PAGE_PROBES);

    // 2a. page load → the full list rendered (the backend connected at start-up, like a launch with --connect)
    // A first load waits for the backend's own connect; the measured ones start from a blank page.
    await page.goto(serve.url);
    await page.waitForSelector(LIST_COMPLETE, { timeout: 120_000 });
    const loads: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      raws.push(await rawBinding(uri)); // 1. the raw binding, between the app's runs
      await page.goto('about:blank');
      await page.goto(serve.url);
      await page.waitForSelector(LIST_COMPLETE, { timeout: 120_000 });
      // navigation start = 0 in page time; the attribute is set in the commit that renders the rows
      loads.push(await page.evaluate<number>(`new Promise((resolve) => requestAnimationFrame(() => resolve(document.querySelector('${LIST_COMPLETE}') ? performance.now() : -1)))`));
    }
    const rowsInDom = await page.locator('[data-testid="vm-list"] [role="row"][data-uuid]').count();

    // 2b. Connect → the full list rendered: the user's click to the last row being in the list
    const connects: number[] = [];
    const header = page.locator('.pane-header');
    for (let i = 0; i < RUNS; i++) {
      raws.push(await rawBinding(uri));
      await header.getByRole('button', { name: 'Disconnect', exact: true }).click();
      await header.getByRole('button', { name: 'Connect', exact: true }).waitFor();
      connects.push(
        await page.evaluate<number>(`new Promise((resolve) => {
          const button = [...document.querySelectorAll('.pane-header button')].find((b) => b.textContent === 'Connect');
          const observer = new MutationObserver(() => {
            if (document.querySelector('${LIST_COMPLETE}')) {
              observer.disconnect();
              resolve(performance.now() - t0);
            }
          });
          observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-loaded', 'data-vm-count'] });
          const t0 = performance.now();
          button.click();
        })`),
      );
    }
    const raw = median(raws);
    const connect = median(connects);
    const load = median(loads);
    console.log(`raw binding: open + listAllDomains + getAllDomainStats(state)  ${ms(raw)}  (runs: ${raws.map((r) => r.toFixed(0)).join(', ')} ms)`);
    console.log(`app: Connect click → rendered runs: ${connects.map((r) => r.toFixed(0)).join(', ')} ms; page load → rendered runs: ${loads.map((r) => r.toFixed(0)).join(', ')} ms`);
    verdict('Connect click → 5 000 rows rendered', `${ms(connect)}  = ${(connect / raw).toFixed(2)}x raw`, connect <= 2 * raw, '<= 2x raw binding');
    verdict('page load → 5 000 rows rendered', `${ms(load)}  = ${(load / raw).toFixed(2)}x raw`, load <= 2 * raw, '<= 2x raw binding');
    verdict('list virtualised: rows in the DOM', `${rowsInDom} of ${DOMAINS}`, rowsInDom < 200, '< 200');

    // 3 + 4. stats ticks every second: backend CPU and renderer long tasks
    await page.getByTestId('stats-interval').selectOption('1000');
    await page.waitForSelector(LIST_COMPLETE);
    const first = await ticksSeen(page);
    while ((await ticksSeen(page)) < first + 2) await page.waitForTimeout(100); // past the first (rate-less) samples
    const pid = serve.pid;
    const startTicks = await ticksSeen(page);
    const pageStart = await page.evaluate<number>('performance.now()');
    const cpu0 = cpuSeconds(pid);
    const wall0 = performance.now();
    while ((await ticksSeen(page)) < startTicks + TICKS) await page.waitForTimeout(50);
    const wall = (performance.now() - wall0) / 1000;
    const cpu = cpuSeconds(pid) - cpu0;
    const tasks = await longTasks(page, pageStart);
    const worst = tasks.reduce((m, t) => Math.max(m, t.duration), 0);
    const share = cpu / wall;
    verdict(`backend CPU over ${TICKS} ticks at 1 s`, `${(share * 100).toFixed(1)} % of a core (${cpu.toFixed(2)} s / ${wall.toFixed(1)} s)`, share < 0.1, '< 10 %');
    verdict(`renderer long tasks during those ticks`, `${tasks.length} (worst ${worst.toFixed(0)} ms)`, tasks.every((t) => t.duration <= 50), 'none > 50 ms');
    const loadTasks = await longTasks(page, 0);
    console.log(`(for information: long tasks since the first page load, list loads included: ${loadTasks.length - tasks.length}, worst ${loadTasks.reduce((m, t) => Math.max(m, t.duration), 0).toFixed(0)} ms)`);
  } finally {
    await browser.close();
    await serve.stop();
  }
  if (!results.every(Boolean)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
