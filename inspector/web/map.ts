// The cluster map on a canvas: nodes as boxes grouped by zone (name, zone, conditions, cordon,
// taints, allocatable used), their pods as dots coloured by phase and readiness. Layout is
// computed once per model in typed arrays, drawing batches dots by colour, and a click is
// resolved arithmetically (row by binary search, then column, then the pod's cell): O(log n).
import { POD_COLOR, POD_STATUS, podsByNode, type ClusterModel } from '../model.ts';

export interface MapLayout {
  model: ClusterModel;
  width: number;
  height: number;
  compact: boolean;
  dot: number;
  podCols: number;
  boxW: number;
  boxH: number;
  header: number;
  /** Per node: box x, y. */
  nodeX: Float32Array;
  nodeY: Float32Array;
  /** Per pod: dot x, y (NaN: not on a node). */
  podX: Float32Array;
  podY: Float32Array;
  byNode: number[][];
  pending: number[];
  /** Rows of boxes: y of each row's top and the node index range [start, end). */
  rows: Array<{ y: number; start: number; end: number }>;
  zoneLabels: Array<{ y: number; text: string }>;
  order: number[];
}

const GAP = 6;

export function layoutMap(model: ClusterModel, width: number): MapLayout {
  const { byNode, pending } = podsByNode(model);
  const n = model.nodes.length;
  const compact = n > 60;
  const maxPods = Math.max(8, ...byNode.map((p) => p.length));
  const dot = compact ? 4 : 11;
  const podCols = compact ? Math.max(4, Math.ceil(Math.sqrt(maxPods * 1.6))) : Math.max(6, Math.min(12, Math.ceil(Math.sqrt(maxPods * 3))));
  const podRows = Math.ceil(maxPods / podCols);
  const header = compact ? 3 : 44;
  const boxW = Math.max(compact ? 0 : 190, podCols * dot + 8);
  const boxH = header + podRows * dot + 10;
  const perRow = Math.max(1, Math.floor((width - GAP) / (boxW + GAP)));
  // Nodes ordered by zone, then name (the model's order): each zone starts a row with a label.
  const order = [...model.nodes.keys()].sort((a, b) => {
    const za = model.nodes[a].zone ?? '';
    const zb = model.nodes[b].zone ?? '';
    return za === zb ? a - b : za < zb ? -1 : 1;
  });
  const nodeX = new Float32Array(n);
  const nodeY = new Float32Array(n);
  const rows: MapLayout['rows'] = [];
  const zoneLabels: MapLayout['zoneLabels'] = [];
  let y = GAP;
  let i = 0;
  const zoneCount = new Map<string, number>();
  for (const ni of order) zoneCount.set(model.nodes[ni].zone ?? '', (zoneCount.get(model.nodes[ni].zone ?? '') ?? 0) + 1);
  const zoned = zoneCount.size > 1 || (zoneCount.size === 1 && !zoneCount.has(''));
  while (i < order.length) {
    const zone = model.nodes[order[i]].zone ?? '';
    if (zoned) {
      zoneLabels.push({ y: y + 11, text: `zone ${zone || '(none)'} · ${zoneCount.get(zone)} node(s)` });
      y += 16;
    }
    while (i < order.length && (model.nodes[order[i]].zone ?? '') === zone) {
      const start = i;
      let col = 0;
      while (i < order.length && col < perRow && (model.nodes[order[i]].zone ?? '') === zone) {
        const ni = order[i];
        nodeX[ni] = GAP + col * (boxW + GAP);
        nodeY[ni] = y;
        i++;
        col++;
      }
      rows.push({ y, start, end: i });
      y += boxH + GAP;
    }
  }
  const podX = new Float32Array(model.pods.keys.length).fill(NaN);
  const podY = new Float32Array(model.pods.keys.length).fill(NaN);
  for (let ni = 0; ni < n; ni++) {
    const pods = byNode[ni];
    for (let k = 0; k < pods.length; k++) {
      podX[pods[k]] = nodeX[ni] + 4 + (k % podCols) * dot;
      podY[pods[k]] = nodeY[ni] + header + 4 + Math.floor(k / podCols) * dot;
    }
  }
  return {
    model, width: Math.max(width, boxW + 2 * GAP), height: y + GAP, compact, dot, podCols, boxW, boxH, header,
    nodeX, nodeY, podX, podY, byNode, pending, rows, zoneLabels, order,
  };
}

function fmtMem(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)}Gi`;
  return `${Math.round(bytes / 2 ** 20)}Mi`;
}

/** '#rrggbb' as a little-endian RGBA pixel. */
function pixel(hex: string): number {
  const n = parseInt(hex.slice(1), 16);
  return (0xff000000 | ((n & 0xff) << 16) | (n & 0xff00) | ((n >> 16) & 0xff)) >>> 0;
}

/**
 * Large maps are written pixel by pixel into one ImageData (boxes, borders, usage bars, pods) and
 * put once: 150,000 dots cost a few milliseconds this way, against ~150 ms of fillRect calls.
 */
function drawCompact(ctx: CanvasRenderingContext2D, L: MapLayout): void {
  const { model } = L;
  const W = L.width;
  const img = ctx.createImageData(W, L.height);
  const buf = new Uint32Array(img.data.buffer);
  buf.fill(pixel('#ffffff'));
  const rect = (x: number, y: number, w: number, h: number, c: number) => {
    x |= 0;
    y |= 0;
    w |= 0;
    for (let yy = y; yy < y + h; yy++) buf.fill(c, yy * W + x, yy * W + x + w);
  };
  const fills = { ready: pixel('#f8fafc'), cordoned: pixel('#fff7e6'), unknown: pixel('#e4e7eb'), notReady: pixel('#fde8e8') };
  const borders = { ok: pixel('#cbd2d9'), cordoned: pixel('#e5a50a'), bad: pixel('#d64545') };
  const bar = pixel('#3e7bfa');
  const barFull = pixel('#d64545');
  for (let ni = 0; ni < model.nodes.length; ni++) {
    const nd = model.nodes[ni];
    const x = L.nodeX[ni];
    const y = L.nodeY[ni];
    rect(x, y, L.boxW, L.boxH, nd.ready === 'True' ? (nd.cordoned ? fills.cordoned : fills.ready) : nd.ready === 'Unknown' ? fills.unknown : fills.notReady);
    const b = nd.ready !== 'True' ? borders.bad : nd.cordoned ? borders.cordoned : borders.ok;
    rect(x, y, L.boxW, 1, b);
    rect(x, y + L.boxH - 1, L.boxW, 1, b);
    rect(x, y, 1, L.boxH, b);
    rect(x + L.boxW - 1, y, 1, L.boxH, b);
    const frac = nd.alloc.cpu > 0 ? Math.min(1, nd.used.cpu / nd.alloc.cpu) : 0;
    rect(x + 1, y + L.boxH - 4, (L.boxW - 2) * frac, 3, frac > 0.9 ? barFull : bar);
  }
  const colors = POD_STATUS.map((st) => pixel(POD_COLOR[st]));
  const size = L.dot - 1;
  const { status } = model.pods;
  for (let i = 0; i < status.length; i++) {
    const x = L.podX[i];
    if (x !== x) continue;
    const c = colors[status[i]];
    let o = (L.podY[i] | 0) * W + (x | 0);
    for (let dy = 0; dy < size; dy++, o += W) for (let dx = 0; dx < size; dx++) buf[o + dx] = c;
  }
  ctx.putImageData(img, 0, 0);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#52606d';
  for (const z of L.zoneLabels) ctx.fillText(z.text, 6, z.y);
}

export function drawMap(ctx: CanvasRenderingContext2D, L: MapLayout, selected: { node?: number; pod?: number }): void {
  if (L.compact) {
    drawCompact(ctx, L);
    drawSelection(ctx, L, selected);
    return;
  }
  const { model } = L;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, L.width, L.height);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#52606d';
  for (const z of L.zoneLabels) ctx.fillText(z.text, 6, z.y);
  // Boxes: fill, border by readiness, usage bar.
  for (let ni = 0; ni < model.nodes.length; ni++) {
    const nd = model.nodes[ni];
    const x = L.nodeX[ni];
    const y = L.nodeY[ni];
    ctx.fillStyle = nd.ready === 'True' ? (nd.cordoned ? '#fff7e6' : '#f8fafc') : nd.ready === 'Unknown' ? '#e4e7eb' : '#fde8e8';
    ctx.fillRect(x, y, L.boxW, L.boxH);
  }
  ctx.lineWidth = 1;
  for (const [color, test] of [
    ['#cbd2d9', (ni: number) => model.nodes[ni].ready === 'True' && !model.nodes[ni].cordoned],
    ['#e5a50a', (ni: number) => model.nodes[ni].ready === 'True' && model.nodes[ni].cordoned],
    ['#d64545', (ni: number) => model.nodes[ni].ready !== 'True'],
  ] as const) {
    ctx.strokeStyle = color;
    ctx.beginPath();
    for (let ni = 0; ni < model.nodes.length; ni++) if (test(ni)) ctx.rect(L.nodeX[ni] + 0.5, L.nodeY[ni] + 0.5, L.boxW - 1, L.boxH - 1);
    ctx.stroke();
  }
  for (let ni = 0; ni < model.nodes.length; ni++) {
    const nd = model.nodes[ni];
    const x = L.nodeX[ni];
    const y = L.nodeY[ni];
    const frac = nd.alloc.cpu > 0 ? Math.min(1, nd.used.cpu / nd.alloc.cpu) : 0;
    ctx.fillStyle = frac > 0.9 ? '#d64545' : '#3e7bfa';
    ctx.fillRect(x + 1, y + L.boxH - 4, (L.boxW - 2) * frac, 3);
    if (L.compact) continue;
    ctx.fillStyle = '#1f2933';
    ctx.font = '600 11px system-ui, sans-serif';
    ctx.fillText(nd.name, x + 4, y + 12);
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = '#52606d';
    const flags = [nd.zone ?? '', nd.ready === 'True' ? 'Ready' : `Ready=${nd.ready}`, nd.cordoned ? 'cordoned' : '', nd.taints.length ? `${nd.taints.length} taint(s)` : ''].filter(Boolean).join(' · ');
    ctx.fillText(flags, x + 4, y + 24, L.boxW - 8);
    const memFrac = nd.alloc.memory > 0 ? nd.used.memory / nd.alloc.memory : 0;
    ctx.fillText(`cpu ${nd.used.cpu}/${nd.alloc.cpu}m · mem ${fmtMem(nd.used.memory)} (${Math.round(memFrac * 100)}%) · ${nd.used.pods}/${nd.alloc.pods} pods`, x + 4, y + 36, L.boxW - 8);
  }
  // Pods, batched by colour.
  const s = L.compact ? L.dot - 1 : L.dot - 2;
  const status = model.pods.status;
  for (let code = 0; code < POD_STATUS.length; code++) {
    ctx.fillStyle = POD_COLOR[POD_STATUS[code]];
    for (let i = 0; i < status.length; i++) {
      if (status[i] !== code) continue;
      const x = L.podX[i];
      if (x !== x) continue;
      ctx.fillRect(x, L.podY[i], s, s);
    }
  }
  drawSelection(ctx, L, selected);
}

function drawSelection(ctx: CanvasRenderingContext2D, L: MapLayout, selected: { node?: number; pod?: number }): void {
  const s = L.compact ? L.dot - 1 : L.dot - 2;
  ctx.lineWidth = 2;
  ctx.strokeStyle = '#1f2933';
  if (selected.node !== undefined && selected.node >= 0) ctx.strokeRect(L.nodeX[selected.node] - 1, L.nodeY[selected.node] - 1, L.boxW + 2, L.boxH + 2);
  if (selected.pod !== undefined && selected.pod >= 0 && L.podX[selected.pod] === L.podX[selected.pod]) ctx.strokeRect(L.podX[selected.pod] - 1.5, L.podY[selected.pod] - 1.5, s + 3, s + 3);
}

/** What is at canvas point (x, y): a pod, else a node, else nothing. */
export function hitTest(L: MapLayout, x: number, y: number): { node?: number; pod?: number } {
  let lo = 0;
  let hi = L.rows.length - 1;
  let row = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (L.rows[mid].y <= y) {
      row = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (row < 0) return {};
  const r = L.rows[row];
  if (y > r.y + L.boxH) return {};
  const col = Math.floor((x - GAP) / (L.boxW + GAP));
  const idx = r.start + col;
  if (col < 0 || idx >= r.end) return {};
  const ni = L.order[idx];
  if (x > L.nodeX[ni] + L.boxW) return {};
  const px = Math.floor((x - L.nodeX[ni] - 4) / L.dot);
  const py = Math.floor((y - L.nodeY[ni] - L.header - 4) / L.dot);
  if (px >= 0 && px < L.podCols && py >= 0) {
    const k = py * L.podCols + px;
    const pods = L.byNode[ni];
    if (k < pods.length) return { node: ni, pod: pods[k] };
  }
  return { node: ni };
}
