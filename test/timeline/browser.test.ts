// The timeline page in a real browser: Debian's chromium (installed by
// scripts/install-chromium.sh, which `npm test` runs first) driven by
// playwright-core. Three pages: the demo's (npm run demo), a trapped actor's
// (poll-empty), and a 10 000-actor fleet's. Screenshots go to out/screenshots/
// (git-ignored). A missing browser fails the suite; it never skips.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../cli/support.ts';
import { fleetChainText } from './fixtures.ts';

const BROWSER = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CLI = join(ROOT, 'dist', 'theater-timing.js');
const SHOTS = join(ROOT, 'out', 'screenshots');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let context: BrowserContext;
let profile: string;
let work: string;

interface Opened { page: Page; errors: string[]; requests: string[]; loadMs: number }

async function open(file: string): Promise<Opened> {
  const page = await context.newPage();
  page.setDefaultTimeout(5000);
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
  const start = performance.now();
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  await page.waitForFunction('document.documentElement.dataset.readyMs !== undefined');
  const loadMs = performance.now() - start;
  return { page, errors, requests, loadMs };
}

function timelineCli(chain: string): string {
  const out = chain.replace(/\.jsonl$/, '.html');
  const r = spawnSync(process.execPath, [CLI, 'timeline', chain, '-o', out], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return out;
}

const subscriptions = (text: string): number => text.split('\n').filter((l) => /"type":"Subscribe(Duration|Instant)"/.test(l)).length;

/** Hovers the element's centre; the tooltip must show the label of the mark on top there, with a chain index. */
async function hoverTip(page: Page, selector: string): Promise<string> {
  const box = await page.locator(selector).first().boundingBox();
  assert.ok(box, `${selector} has a box`);
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.waitForFunction('!document.getElementById("tip").hidden');
  const [tip, label] = await page.evaluate<[string | null, string | null]>(
    `[document.getElementById('tip').textContent, document.elementFromPoint(${x}, ${y})?.closest('.hit')?.getAttribute('aria-label') ?? null]`);
  assert.is(tip, label);
  assert.match(tip ?? '', /chain index \d+/);
  return tip ?? '';
}

async function wheelZoom(page: Page, deltaY: number): Promise<{ before: string; after: string; stepBefore: number; stepAfter: number }> {
  const read = (): Promise<[string, number]> => page.evaluate<[string, number]>("[document.getElementById('scale').textContent, Number(document.getElementById('plot').dataset.stepNs)]");
  const [before, stepBefore] = await read();
  const box = await page.locator('#plot').boundingBox();
  assert.ok(box);
  await page.mouse.move(box.x + box.width * 0.6, box.y + 20);
  for (let i = 0; i < 6; i++) await page.mouse.wheel(0, deltaY);
  await page.waitForFunction(`document.getElementById('scale').textContent !== ${JSON.stringify(before)}`);
  const [after, stepAfter] = await read();
  return { before, after, stepBefore, stepAfter };
}

test.before(async () => {
  if (!existsSync(BROWSER)) {
    throw new Error(`timeline browser tests: ${BROWSER} is missing; run scripts/install-chromium.sh (npm test does) or set CHROMIUM_PATH`);
  }
  mkdirSync(SHOTS, { recursive: true });
  profile = mkdtempSync(join(tmpdir(), 'theater-timing-chromium-'));
  work = mkdtempSync(join(tmpdir(), 'theater-timing-timeline-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: BROWSER, headless: true, args: ARGS, viewport: { width: 1280, height: 820 } });
});

test.after(async () => {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

test('the demo page: npm run demo prints its path; one lane, a bar per subscription, tooltips, zoom and pan', async () => {
  const demo = spawnSync(process.execPath, [join(ROOT, 'scripts', 'demo.ts')], { cwd: ROOT, encoding: 'utf8' });
  assert.is(demo.status, 0, demo.stderr);
  const path = /^timeline page: (.+)$/m.exec(demo.stdout)?.[1];
  assert.ok(path !== undefined && existsSync(path), `demo printed the page path:\n${demo.stdout.slice(-400)}`);
  const chain = readFileSync(path.replace(/\.timeline\.html$/, '.events.jsonl'), 'utf8');
  const { page, errors, requests } = await open(path);
  assert.is(await page.locator('.lane').count(), 1);
  assert.is(await page.locator('.bar').count(), subscriptions(chain));
  assert.ok(subscriptions(chain) >= 9);
  assert.ok(await page.locator('.m-poll').count() >= 1, 'poll marks');
  assert.ok(await page.locator('.m-clock').count() >= 10, 'clock-read marks');
  const tip = await hoverTip(page, '.bar >> nth=1 >> rect.applied');
  assert.match(tip, /pollable \d+: /);
  const zoom = await wheelZoom(page, -300);
  assert.ok(zoom.stepAfter < zoom.stepBefore, `zoom in shrinks the grid step: ${zoom.before} → ${zoom.after}`);
  // Drag pans: the view moves, the grid step stays.
  const box = await page.locator('#plot').boundingBox();
  assert.ok(box);
  await page.mouse.move(box.x + 600, box.y + 40);
  await page.mouse.down();
  await page.mouse.move(box.x + 300, box.y + 40, { steps: 5 });
  await page.mouse.up();
  const panned = await page.textContent('#scale');
  assert.is.not(panned, zoom.after);
  assert.ok(panned?.endsWith(zoom.after?.split('grid every ')[1] ?? '?'), `pan keeps the step: ${panned}`);
  // Zoomed far in, the scale reads in nanoseconds.
  for (let i = 0; i < 20; i++) await page.click('#zoom-in');
  await page.waitForFunction("/grid every \\d+ ns/.test(document.getElementById('scale').textContent)");
  await page.click('#zoom-reset');
  await page.waitForTimeout(50);
  await page.screenshot({ path: join(SHOTS, 'demo.png'), fullPage: true });
  // Printing drops the controls and keeps the chart.
  await page.emulateMedia({ media: 'print' });
  assert.is(await page.locator('#zoom-in').isVisible(), false);
  assert.is(await page.locator('#plot').isVisible(), true);
  await page.emulateMedia({ media: 'screen' });
  assert.equal(errors, []);
  assert.equal(requests, []);
  await page.close();
});

test('a trapped actor: the trap mark with its message, and hover names the ChainEnd record', async () => {
  const chain = join(work, 'poll-empty.events.jsonl');
  const run = spawnSync(process.execPath, [CLI, 'run', join(ROOT, 'test-actors', 'poll-empty', 'manifest.toml'), '--events', chain], { encoding: 'utf8' });
  assert.is(run.status, 3, run.stderr);
  const message = /trapped: (.+)$/m.exec(run.stderr)?.[1] ?? '';
  assert.match(message, /wasi trap/);
  // The writer closes the chain with its ChainEnd record, which carries the trap.
  assert.match(readFileSync(chain, 'utf8').trimEnd().split('\n').at(-1) ?? '', /"type":"ChainEnd","events":\d+,"outcome":"trap"/);
  const { page, errors, requests } = await open(timelineCli(chain));
  assert.is(await page.locator('.lane.failed').count(), 1);
  assert.is(await page.locator('.bar').count(), subscriptions(readFileSync(chain, 'utf8')));
  assert.is(await page.locator('.m-trap').count(), 1);
  assert.match(await page.textContent('.m-trap .note') ?? '', /wasi trap/);
  assert.ok(await page.locator('.m-trap .note').isVisible(), 'a trap note always shows');
  assert.match(await page.textContent('header') ?? '', /Trapped: wasi trap/);
  const tip = await hoverTip(page, '.m-trap > path');
  assert.match(tip, /^ChainEnd · chain index \d+/);
  assert.match(tip, /outcome = trap/);
  await page.screenshot({ path: join(SHOTS, 'trap.png'), fullPage: true });
  assert.equal(errors, []);
  assert.equal(requests, []);
  await page.close();
});

test('a 10 000-actor fleet: loads in under 2 s, histogram, heat strip, 50 latest-waking lanes', async () => {
  const chain = join(work, 'fleet.events.jsonl');
  writeFileSync(chain, fleetChainText(10_000));
  const { page, errors, requests, loadMs } = await open(timelineCli(chain));
  assert.ok(loadMs < 2000, `loaded in ${loadMs.toFixed(0)} ms`);
  assert.is(await page.locator('.lane').count(), 50);
  assert.is(await page.locator('.bar').count(), 50); // one subscription per sleeper
  assert.is(await page.locator('svg.histogram').count(), 1);
  assert.match(await page.textContent('#hist-title') ?? '', /10,000 wake-ups/);
  assert.match(await page.textContent('header') ?? '', /outcomes: ok 10,000/);
  assert.ok(await page.locator('#heat-cells rect').count() > 10, 'heat strip cells');
  // The 40 ms outliers (every 997th actor) are among the lanes.
  assert.match(await page.locator('.lane-label').allTextContents().then((t) => t.join(' ')), /instance 5\b/);
  const tip = await hoverTip(page, '.lane >> nth=0 >> .bar rect.late');
  assert.match(tip, /woke 40\.000 ms after it/);
  const cells = await page.locator('#heat-cells rect').count();
  const zoom = await wheelZoom(page, -400);
  assert.ok(zoom.stepAfter < zoom.stepBefore, `${zoom.before} → ${zoom.after}`);
  assert.is.not(await page.locator('#heat-cells rect').count(), 0);
  await page.screenshot({ path: join(SHOTS, 'fleet.png'), fullPage: false });
  assert.ok(cells > 0);
  assert.equal(errors, []);
  assert.equal(requests, []);
  await page.close();
});

test.run();
