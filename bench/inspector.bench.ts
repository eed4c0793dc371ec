// The inspector at scale: a synthetic 5,000-node, 150,000-pod snapshot (the inspector's model
// format) served to Debian's Chromium; the time to draw the map and to answer a click on a pod.
// Target: < 1 s each. Also: recording the self-healing scenario for a replay or an export.
import { resolve } from 'node:path';
import { print } from './harness.ts';
import { launchBrowser } from '../inspector/browser.ts';
import { InspectorServer, recordRun } from '../inspector/server.ts';
import { buildBundle, exportedPage } from '../inspector/assets.ts';
import { syntheticMessages } from '../inspector/synthetic.ts';

declare const document: any;
declare const window: any;

export interface InspectorFigures {
  /** Navigation to the map drawn, wall ms (includes transferring and parsing the snapshot). */
  loadMs: number;
  /** In the page: building the model's layout and drawing the canvas, ms. */
  renderMs: number;
  /** Mouse click on a pod to its details shown, wall ms. */
  clickMs: number;
  /** In the page: hit test, selection, redraw and details panel, ms. */
  clickInPageMs: number;
  /** Recording self-healing (366 s of virtual time) in the worker, ms; and its exported report's size. */
  recordMs: number;
  exportBytes: number;
}

export async function inspectorBench(nodes = 5_000, pods = 150_000): Promise<InspectorFigures> {
  await buildBundle();
  const server = await InspectorServer.recorded(syntheticMessages(nodes, pods));
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const t0 = performance.now();
    await page.goto(server.url);
    await page.waitForFunction((n) => document.body.dataset.mapPods === String(n), pods, { timeout: 60_000 });
    const loadMs = performance.now() - t0;
    const renderMs: number = await page.evaluate(() => (window as any).__inspector.metrics.renderMs);
    const clicks: number[] = [];
    const inPage: number[] = [];
    for (const i of [1_234, 75_000, 149_999]) {
      const pod = await page.evaluate((k) => (window as any).__inspector.timeline.models[0].model.pods.keys[k], i);
      const pt = await page.evaluate((p) => (window as any).__inspector.pointOf({ pod: p }), pod);
      const c0 = performance.now();
      await page.mouse.click(pt.x, pt.y);
      await page.waitForFunction((p) => document.getElementById('object-title')?.textContent === `pod/${p}`, pod);
      clicks.push(performance.now() - c0);
      inPage.push(await page.evaluate(() => (window as any).__inspector.metrics.clickMs));
    }
    const r0 = performance.now();
    const messages = await recordRun({ kind: 'scenario', path: resolve('scenarios/self-healing.ts') }, 'self-healing.ts');
    const recordMs = performance.now() - r0;
    const exportBytes = Buffer.byteLength(await exportedPage(messages));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const figures = { loadMs, renderMs, clickMs: median(clicks), clickInPageMs: median(inPage), recordMs, exportBytes };
    print(`inspector: ${nodes} nodes, ${pods} pods (Chromium, headless)`, [
      ['map drawn after navigation (wall)', `${Math.round(loadMs)} ms`],
      ['layout + canvas draw (in page)', `${Math.round(renderMs)} ms`],
      ['click on a pod → details (wall, median of 3)', `${Math.round(figures.clickMs)} ms`],
      ['click handling (in page, median of 3)', `${Math.round(figures.clickInPageMs)} ms`],
      ['record self-healing (366 s virtual) in the worker', `${Math.round(recordMs)} ms`],
      ['exported report of self-healing', `${(exportBytes / 1024 / 1024).toFixed(2)} MB`],
    ]);
    return figures;
  } finally {
    await browser.close();
    await server.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]).endsWith('inspector.bench.ts')) await inspectorBench();
