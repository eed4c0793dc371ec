// A statechart drawn from its machine definition: states and nested states as boxes, transitions
// as edges labelled `EVENT [guard]`, laid out by ELK (elkjs, layered, hierarchical), rendered as
// SVG. Active states carry the class `active` and `data-active="true"`.
import type { ELK } from 'elkjs/lib/elk-api.js';
import type { MachineGraph, StateGraph } from '../protocol.ts';

const layouts = new Map<string, Promise<any>>();
let elkReady: Promise<ELK> | undefined;

/**
 * ELK is 1.6 MB of script: it is loaded when the first chart is drawn, not with the page. The
 * server serves it as elk.js; an exported report carries it as inert text (#kubesim-elk).
 */
function loadElk(): Promise<ELK> {
  elkReady ??= new Promise((resolve, reject) => {
    const w = window as unknown as { ELK?: new () => ELK };
    const done = () => (w.ELK ? resolve(new w.ELK()) : reject(new Error('elk.js did not define ELK')));
    if (w.ELK) return done();
    const script = document.createElement('script');
    const inline = document.getElementById('kubesim-elk');
    if (inline) {
      script.textContent = inline.textContent;
      document.head.appendChild(script);
      return done();
    }
    script.src = 'elk.js';
    script.onload = done;
    script.onerror = () => reject(new Error('could not load elk.js'));
    document.head.appendChild(script);
  });
  return elkReady;
}

function labelOf(t: { event: string; guard?: string }): string {
  return t.guard ? `${t.event} [${t.guard}]` : t.event;
}

function elkNode(s: StateGraph, edges: any[]): any {
  const node: any = { id: s.id, labels: [{ text: s.key }] };
  if (s.children.length) {
    node.children = s.children.map((c) => elkNode(c, edges));
    node.layoutOptions = { 'elk.padding': '[top=26,left=10,bottom=10,right=10]' };
  } else {
    node.width = Math.max(70, s.key.length * 7 + 18);
    node.height = 28;
  }
  for (const t of s.transitions) {
    t.targets.forEach((target, i) => {
      if (target === s.id) return; // self-transitions are listed, not drawn
      const text = labelOf(t);
      edges.push({ id: `${s.id}->${target}#${edges.length}#${i}`, sources: [s.id], targets: [target], labels: [{ text, width: text.length * 5.6 + 4, height: 12 }] });
    });
  }
  return node;
}

/** The ELK layout of a machine (cached per machine id). */
export function layoutMachine(graph: MachineGraph): Promise<any> {
  const cached = layouts.get(graph.id);
  if (cached) return cached;
  {
    const edges: any[] = [];
    const root = {
      id: '__root',
      layoutOptions: {
        'elk.algorithm': 'layered', 'elk.direction': 'DOWN', 'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
        'elk.layered.spacing.nodeNodeBetweenLayers': '34', 'elk.spacing.nodeNode': '22', 'elk.spacing.edgeLabel': '2',
        'elk.edgeLabels.placement': 'CENTER', 'elk.layered.edgeLabels.sideSelection': 'ALWAYS_UP',
      },
      children: [elkNode(graph.root, edges)],
      edges,
    };
    const p = loadElk().then((elk) => elk.layout(root as any));
    layouts.set(graph.id, p);
    return p;
  }
}

const NS = 'http://www.w3.org/2000/svg';

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Renders the laid-out machine with `active` state ids highlighted. */
export function renderChart(layout: any, graph: MachineGraph, active: Set<string>): SVGSVGElement {
  const svg = el('svg', { class: 'chart', 'data-machine': graph.id }) as SVGSVGElement;
  const defs = el('defs', {});
  const marker = el('marker', { id: `arrow-${graph.id}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.appendChild(el('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#9aa5b1' }));
  defs.appendChild(marker);
  svg.appendChild(defs);
  const abs = new Map<string, { x: number; y: number }>();
  abs.set('__root', { x: 0, y: 0 });
  const initials = new Set<string>();
  const collect = (s: StateGraph) => {
    if (s.initial) initials.add(s.initial);
    s.children.forEach(collect);
  };
  collect(graph.root);
  const nodes = el('g', {});
  const walk = (n: any, ox: number, oy: number) => {
    const x = ox + (n.x ?? 0);
    const y = oy + (n.y ?? 0);
    abs.set(n.id, { x, y });
    const compound = Boolean(n.children?.length);
    const isActive = active.has(n.id);
    const g = el('g', { 'data-state-id': n.id, 'data-active': String(isActive) });
    g.appendChild(el('rect', { class: `state${compound ? ' compound' : ''}${isActive ? ' active' : ''}`, x, y, width: n.width, height: n.height, rx: 7 }));
    g.appendChild(el('text', { class: 'state-label', x: x + 8, y: y + (compound ? 16 : 18) }, n.labels?.[0]?.text ?? n.id));
    if (initials.has(n.id)) g.appendChild(el('circle', { cx: x - 3, cy: y + 5, r: 4, fill: '#1f2933' }));
    nodes.appendChild(g);
    for (const c of n.children ?? []) walk(c, x, y);
  };
  for (const c of layout.children ?? []) walk(c, 0, 0);
  const edgesG = el('g', {});
  const allEdges: any[] = [];
  const gather = (n: any) => {
    for (const e of n.edges ?? []) allEdges.push(e);
    for (const c of n.children ?? []) gather(c);
  };
  gather(layout);
  for (const e of allEdges) {
    const o = abs.get(e.container ?? '__root') ?? { x: 0, y: 0 };
    for (const s of e.sections ?? []) {
      const pts = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint];
      const d = pts.map((p: any, i: number) => `${i ? 'L' : 'M'} ${p.x + o.x} ${p.y + o.y}`).join(' ');
      edgesG.appendChild(el('path', { class: 'edge', d, 'marker-end': `url(#arrow-${graph.id})` }));
    }
    for (const l of e.labels ?? []) {
      if (l.x === undefined) continue;
      edgesG.appendChild(el('text', { class: 'edge-label', x: l.x + o.x, y: l.y + o.y + 9 }, l.text));
    }
  }
  svg.appendChild(nodes);
  svg.appendChild(edgesG);
  const w = (layout.width ?? 400) + 10;
  const h = (layout.height ?? 300) + 10;
  svg.setAttribute('viewBox', `-6 -4 ${w} ${h}`);
  svg.setAttribute('width', String(w));
  svg.setAttribute('height', String(h));
  svg.style.maxWidth = '100%';
  svg.style.height = 'auto';
  return svg;
}
