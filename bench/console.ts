/**
 * Issue 22's budgets for the web console, in Chromium (playwright-core) against a built control
 * plane (bench/support/portico.ts) on a fresh database:
 *
 * - **first screen after login** (budget: usable within 1 s, warm cache): from pressing "Sign in"
 *   until API Administration lists the environment's instances, `--repeat` times with the
 *   console's files already in the browser's cache (the first, cold load is reported apart);
 * - **Logs with 100k matching calls** (budget: stays responsive): `--events` access events are
 *   stored straight into the table (bench/support/access-events.ts), then the Logs screen is opened
 *   over all of them: time to its first rows, to the rows of a changed filter, to the count of all
 *   matching calls, and, while the list
 *   is scrolled through `--scroll` rows (paging on the server as it goes), the main thread's long
 *   tasks (over 50 ms) as the browser reports them.
 *
 *   node --conditions=portico-source --import tsx bench/console.ts [--repeat 20] [--events 100000]
 *     [--scroll 2000] [--instances 30] [--quiet-wait 60]
 *
 * Needs `npm run build` (it serves apps/console/dist) and Debian's chromium (PORTICO_CHROMIUM).
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { freePort, launchChromium } from '#portico/testing';
import { benchDatabaseUrl, bulkLoadAccessEvents } from './support/access-events.js';
import { ControlPlane } from './support/portico.js';
import { runBench, waitForQuiet } from './support/processes.js';
import { formatMs, median, percentile, positiveInt, printTable, round } from './support/stats.js';

const { values: args } = parseArgs({
  options: {
    repeat: { type: 'string', default: '20' },
    events: { type: 'string', default: '100000' },
    scroll: { type: 'string', default: '2000' },
    instances: { type: 'string', default: '30' },
    'quiet-wait': { type: 'string', default: '60' },
  },
  strict: true,
});

/** Signs in on the login page; milliseconds from pressing "Sign in" to the instances listed. */
async function signInToFirstScreen(page: Page, password: string, instances: number): Promise<number> {
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(password);
  const pressed = performance.now();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page
    .locator('table tbody tr')
    .nth(instances - 1)
    .waitFor();
  return performance.now() - pressed;
}

/** Milliseconds from opening `hash` until the Logs screen shows its first call. */
async function openLogs(page: Page, hash: string): Promise<number> {
  const opened = performance.now();
  await page.goto(`/#${hash}`);
  await page.locator('.log-body [role="row"][aria-rowindex="2"]').waitFor({ timeout: 60_000 });
  return performance.now() - opened;
}

interface ScrollResult {
  /** ms until a row at or beyond the target index was rendered */
  ms: number;
  steps: number;
  /** the main thread's long tasks (over 50 ms) while scrolling, as the browser reported them */
  longTasks: number[];
  /** the longest step: one scroll of 2000 px until two frames were drawn (page loads included) */
  slowestStepMs: number;
}

/** Scrolls the Logs list 2000 px at a time until row `target` is rendered (pages load on the way). */
async function scrollLogs(page: Page, target: number): Promise<ScrollResult> {
  await page.evaluate(() => {
    const g = globalThis as any;
    g.benchLongTasks = [];
    new g.PerformanceObserver((list: any) => {
      for (const entry of list.getEntries()) g.benchLongTasks.push(entry.duration);
    }).observe({ type: 'longtask' });
  });
  const started = performance.now();
  let steps = 0;
  let slowestStepMs = 0;
  for (let reached = 0; reached < target; steps++) {
    if (performance.now() - started > 120_000) throw new Error(`row ${target} not reached in 120 s (at ${reached})`);
    const step = performance.now();
    reached = await page.evaluate(async () => {
      const { document, requestAnimationFrame } = globalThis as any;
      const body = document.querySelector('.log-body');
      body.scrollTop += 2000;
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      const indexes = [...body.querySelectorAll('[role="row"][aria-rowindex]')].map((row: any) =>
        Number(row.getAttribute('aria-rowindex')),
      );
      return Math.max(0, ...indexes) - 1;
    });
    slowestStepMs = Math.max(slowestStepMs, performance.now() - step);
  }
  const longTasks = await page.evaluate(() => (globalThis as any).benchLongTasks as number[]);
  return { ms: performance.now() - started, steps, longTasks, slowestStepMs };
}

/** Ends the session as the Sign out button does, back on the login page (the cache stays). */
async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

await runBench(async () => {
  const repeat = positiveInt('repeat', args.repeat);
  const instances = positiveInt('instances', args.instances);
  const events = positiveInt('events', args.events);
  const scroll = positiveInt('scroll', args.scroll);

  const cp = await ControlPlane.start();
  const gateway = await cp.registerGateway('bench-console');
  const apiIds: number[] = [];
  for (let i = 0; i < instances; i++) {
    const instance = await cp.deployMcpInstance({
      upstreamUrl: 'http://127.0.0.1:9/',
      port: await freePort(),
      basePath: `/console-${i}`,
      targetId: gateway.gatewayId,
    });
    apiIds.push(instance.apiId);
  }
  const db = new pg.Client({ connectionString: await benchDatabaseUrl() });
  await db.connect();
  try {
    await bulkLoadAccessEvents(
      db,
      { organizationId: cp.organizationId, environmentId: cp.sandboxId, targetId: gateway.gatewayId, apiIds },
      events,
    );
  } finally {
    await db.end();
  }

  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: cp.url });
    const page = await context.newPage();
    await page.goto('/');
    const busy = await waitForQuiet(Number(args['quiet-wait']));
    const cold = await signInToFirstScreen(page, cp.adminPassword, instances);
    const warm: number[] = [];
    for (let i = 0; i < repeat; i++) {
      await signOut(page);
      warm.push(await signInToFirstScreen(page, cp.adminPassword, instances));
    }

    const logs = `/organizations/${cp.organizationId}/environments/${cp.sandboxId}/logs?range=7d`;
    await openLogs(page, logs); // warms the Logs screen's chunk and the server's caches
    const firstRows: number[] = [];
    const filtered: number[] = [];
    for (let i = 0; i < Math.min(repeat, 10); i++) {
      await page.goto('/#/');
      firstRows.push(await openLogs(page, logs));
      filtered.push(await openLogs(page, `${logs}&tool=tool-${i % 12}`));
    }
    // the count of all matching calls comes from an analytics aggregate, after the first rows
    const countStarted = performance.now();
    await openLogs(page, logs);
    const count = page.getByText(/^[\d,]+ matching calls$/);
    await count.waitFor({ timeout: 60_000 });
    const countMs = performance.now() - countStarted;
    const matching = await count.textContent();
    const scrolled = await scrollLogs(page, scroll);
    const renderedRows = await page.locator('.log-body [role="row"]').count();

    printTable(
      `First screen after login (API Administration, ${instances} instances), ${repeat} warm runs`,
      ['load', 'p50', 'p90', 'max'],
      [
        ['cold (first load)', formatMs(cold), '', ''],
        ['warm cache', formatMs(median(warm)), formatMs(percentile(warm, 90)), formatMs(Math.max(...warm))],
      ],
    );
    printTable(
      `Logs over ${events.toLocaleString('en')} stored calls (7 days; the screen said "${matching}")`,
      ['measure', 'value'],
      [
        ['first rows, p50 / max', `${formatMs(median(firstRows))} / ${formatMs(Math.max(...firstRows))}`],
        ['a changed filter (tool) shown, p50 / max', `${formatMs(median(filtered))} / ${formatMs(Math.max(...filtered))}`],
        ['the count of matching calls shown', formatMs(countMs)],
        [`scrolled to row ${scroll} (${scrolled.steps} steps of 2000 px)`, formatMs(scrolled.ms)],
        ['slowest step (scroll + 2 frames, page loads included)', formatMs(scrolled.slowestStepMs)],
        [
          'long tasks while scrolling (count / longest)',
          `${scrolled.longTasks.length} / ${formatMs(Math.max(0, ...scrolled.longTasks))}`,
        ],
        ['rows in the page after scrolling', renderedRows],
      ],
    );
    console.log(
      JSON.stringify({
        bench: 'console',
        machineBusyBefore: round(busy, 2),
        firstScreen: {
          coldMs: round(cold, 1),
          warmP50Ms: round(median(warm), 1),
          warmP90Ms: round(percentile(warm, 90), 1),
          warmMaxMs: round(Math.max(...warm), 1),
        },
        logs: {
          events,
          shown: matching,
          firstRowsP50Ms: round(median(firstRows), 1),
          filteredP50Ms: round(median(filtered), 1),
          countMs: round(countMs, 1),
          scrolledToRow: scroll,
          scrollMs: round(scrolled.ms, 1),
          slowestStepMs: round(scrolled.slowestStepMs, 1),
          longTasks: scrolled.longTasks.length,
          longestTaskMs: round(Math.max(0, ...scrolled.longTasks), 1),
          renderedRows,
        },
      }),
    );
  } finally {
    await browser.close();
  }
});
