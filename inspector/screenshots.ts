// `npm run screenshots`: the README's pictures of the inspector (docs/screenshots/*.png): the
// cluster map, an actor's statechart and the explain view, from the self-healing scenario.
// Needs Debian's Chromium (apt-get install chromium). Not run by the tests.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browser.ts';
import { InspectorServer, recordRun } from './server.ts';
import { Timeline } from './model.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'docs', 'screenshots');

export async function takeScreenshots(out = OUT): Promise<string[]> {
  mkdirSync(out, { recursive: true });
  const messages = await recordRun({ kind: 'scenario', path: join(ROOT, 'scenarios', 'self-healing.ts') }, 'self-healing.ts');
  const tl = new Timeline();
  for (const m of messages) tl.ingest(m);
  const off = tl.records.find((r) => r.kind === 'input' && r.what === 'power-off')!;
  const server = await InspectorServer.recorded(messages);
  const browser = await launchBrowser({ width: 1280, height: 720 });
  const files: string[] = [];
  try {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => Number(document.body.dataset.mapRendered ?? 0) > 0);
    // The map 4 minutes after the power-off: the lost node Unknown, its pods still bound to it.
    const t = off.t + 240_000;
    await page.locator('#scrubber').fill(String(t));
    await page.waitForFunction((want) => document.body.dataset.viewTime === String(want), t);
    const summary = await page.evaluate(() => (window as any).__inspector.mapSummary());
    const node = summary.nodes.find((n: any) => n.name === off.node && n.pods.length) ?? summary.nodes[0];
    const pod = node.pods[0].split(' ')[0];
    const pt = await page.evaluate((p) => (window as any).__inspector.pointOf({ pod: p }), pod);
    await page.mouse.click(pt.x, pt.y);
    await page.waitForFunction((p) => document.getElementById('object-title')?.textContent === `pod/${p}`, pod);
    files.push(join(out, 'inspector-map.png'));
    await page.screenshot({ path: files[files.length - 1] });
    // A running pod's statechart on a healthy node.
    const healthy = summary.nodes.find((n: any) => n.name !== off.node && n.pods.length);
    const running = healthy.pods[0].split(' ')[0];
    const pt2 = await page.evaluate((p) => (window as any).__inspector.pointOf({ pod: p }), running);
    await page.mouse.click(pt2.x, pt2.y);
    await page.click('#tabs button[data-tab=actor]');
    await page.waitForSelector('#chart svg');
    await page.setViewportSize({ width: 1280, height: 1240 });
    files.push(join(out, 'inspector-actor.png'));
    await page.locator('#panel').screenshot({ path: files[files.length - 1] });
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.click('#tabs button[data-tab=explain]');
    await page.waitForSelector('#explain-lines');
    files.push(join(out, 'inspector-explain.png'));
    await page.locator('#panel').screenshot({ path: files[files.length - 1] });
  } finally {
    await browser.close();
    await server.close();
  }
  return files;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const f of await takeScreenshots()) console.log(`${f} (${Math.round(statSync(f).size / 1024)} KB)`);
}

declare const document: any;
declare const window: any;
