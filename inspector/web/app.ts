// The inspector page: receives protocol messages (live from the server's event stream, or
// embedded in an exported report), keeps them in a Timeline, and shows the cluster map, actors,
// timeline, events, explanations and a sequence diagram at the chosen virtual time.
import { stringify } from 'yaml';
import { POD_COLOR, POD_STATUS, Timeline, activeStateIds, stateText, type ClusterModel, type EventRow } from '../model.ts';
import type { ClientCommand, MachineGraph, ServerMessage } from '../protocol.ts';
import { drawMap, hitTest, layoutMap, type MapLayout } from './map.ts';
import { layoutMachine, renderChart } from './chart.ts';
import { explainPlacement, filterResults } from '../../actors/scheduler/explain.ts';

type Selection =
  | { kind: 'pod'; key: string }
  | { kind: 'node'; name: string }
  | { kind: 'object'; key: string }
  | undefined;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const esc = (s: unknown) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function fmtTime(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${Number.isInteger(s) ? s : s.toFixed(3)}s`;
  const m = Math.floor(s / 60);
  const rest = s - m * 60;
  return `${m}m${rest ? (Number.isInteger(rest) ? rest : rest.toFixed(1)) + 's' : ''}`;
}

class App {
  readonly tl = new Timeline();
  mode: 'live' | 'replay' | 'export' = 'live';
  viewTime = 0;
  follow = true;
  selection: Selection = undefined;
  actor: string | undefined;
  actorPart: { name: string; machine: string } | undefined;
  tab = 'object';
  seqActors: string[] = [];
  playing = false;
  localSpeed = 10;
  private layout: MapLayout | undefined;
  private drawnModel: ClusterModel | undefined;
  private drawnSel = '';
  private dirty = true;
  private panelKey = '';
  /** Measurements the tests and the bench read. */
  readonly metrics = { renderMs: 0, layoutMs: 0, clickMs: 0, renders: 0, chartRenders: 0 };

  start(): void {
    this.bindUi();
    const embedded = document.getElementById('kubesim-data');
    if (embedded) {
      const messages = JSON.parse(embedded.textContent ?? '[]') as ServerMessage[];
      for (const m of messages) this.tl.ingest(m);
      this.mode = 'export';
      this.follow = false;
      this.viewTime = this.tl.endTime();
    } else {
      const es = new EventSource('events');
      es.onmessage = (ev) => {
        const batch = JSON.parse(ev.data) as ServerMessage[];
        for (const m of batch) this.tl.ingest(m);
        if (this.tl.hello) this.mode = this.tl.hello.mode;
        this.invalidate();
      };
    }
    this.invalidate();
    const loop = () => {
      this.tick();
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  }

  invalidate(): void {
    this.dirty = true;
  }

  private lastFrameWall = 0;

  private tick(): void {
    const now = performance.now();
    const dt = this.lastFrameWall ? now - this.lastFrameWall : 0;
    this.lastFrameWall = now;
    if (this.playing && this.mode !== 'live') {
      const end = this.tl.endTime();
      this.viewTime = Math.min(end, this.viewTime + dt * this.localSpeed);
      if (this.viewTime >= end) this.playing = false;
      this.dirty = true;
    }
    if (!this.dirty) return;
    this.dirty = false;
    if (this.follow) this.viewTime = this.tl.endTime();
    this.render();
  }

  // ------------------------------------------------------------------ controls

  private bindUi(): void {
    $('play').onclick = () => this.control({ op: 'play' });
    $('pause').onclick = () => this.control({ op: 'pause' });
    $('step').onclick = () => this.control({ op: 'step', count: 1 });
    const speed = $<HTMLSelectElement>('speed');
    speed.value = '10';
    speed.onchange = () => this.control({ op: 'speed', speed: Number(speed.value) });
    const scrub = $<HTMLInputElement>('scrubber');
    scrub.oninput = () => {
      this.follow = false;
      this.viewTime = Number(scrub.value);
      this.invalidate();
    };
    $('live').onclick = () => {
      this.follow = true;
      this.invalidate();
    };
    $('markers').onclick = (ev) => {
      const c = ev.currentTarget as HTMLCanvasElement;
      const end = this.tl.endTime() || 1;
      this.follow = false;
      this.viewTime = Math.round(((ev.offsetX) / c.clientWidth) * end);
      this.invalidate();
    };
    for (const b of document.querySelectorAll<HTMLButtonElement>('#tabs button')) b.onclick = () => this.showTab(b.dataset.tab!);
    const map = $<HTMLCanvasElement>('map');
    map.addEventListener('mousedown', (ev) => this.clickMap(ev));
    window.addEventListener('resize', () => {
      this.drawnModel = undefined;
      this.invalidate();
    });
    this.showTab('object');
  }

  control(cmd: ClientCommand): void {
    if (this.mode === 'live') {
      void fetch('command', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cmd) });
      if (cmd.op === 'play' || cmd.op === 'step') this.follow = true;
      return;
    }
    // Replay and export: the controls drive the playhead over the recorded timeline.
    if (cmd.op === 'play') {
      if (this.viewTime >= this.tl.endTime()) this.viewTime = 0;
      this.follow = false;
      this.playing = true;
    } else if (cmd.op === 'pause') this.playing = false;
    else if (cmd.op === 'step') {
      this.playing = false;
      this.follow = false;
      const next = this.tl.records.find((r) => r.t > this.viewTime && r.kind === 'deliver');
      this.viewTime = next ? next.t : this.tl.endTime();
    } else if (cmd.op === 'speed') this.localSpeed = cmd.speed > 0 ? cmd.speed : 1000;
    this.invalidate();
  }

  showTab(tab: string): void {
    this.tab = tab;
    for (const b of document.querySelectorAll<HTMLButtonElement>('#tabs button')) b.classList.toggle('active', b.dataset.tab === tab);
    for (const d of document.querySelectorAll<HTMLElement>('.tab')) d.classList.toggle('active', d.id === `tab-${tab}`);
    this.panelKey = '';
    this.invalidate();
  }

  select(sel: Selection, tab?: string): void {
    this.selection = sel;
    if (sel?.kind === 'pod') {
      const actor = this.tl.podActor(sel.key, this.viewTime);
      if (actor) this.actor = actor;
      this.actorPart = undefined;
      const node = this.tl.objectsAt(this.viewTime).get(`Pod/${sel.key}`)?.spec?.nodeName;
      this.seqActors = ['kube-apiserver', 'kube-scheduler', ...(node ? [`node/${node}`] : []), ...(actor ? [actor] : [])];
    } else if (sel?.kind === 'node') {
      this.actor = `node/${sel.name}`;
      this.actorPart = undefined;
      this.seqActors = ['kube-apiserver', 'node-lifecycle-controller', `node/${sel.name}`];
    } else if (sel?.kind === 'object') {
      const kind = sel.key.split('/')[0];
      const ctl: Record<string, string> = { Deployment: 'deployment-controller', StatefulSet: 'statefulset-controller', Job: 'job-controller', ReplicaSet: 'replicaset-controller', DaemonSet: 'daemonset-controller' };
      if (ctl[kind]) this.actor = ctl[kind];
    }
    this.drawnSel = '';
    if (tab) this.showTab(tab);
    this.panelKey = '';
    this.invalidate();
  }

  private clickMap(ev: MouseEvent): void {
    const t0 = performance.now();
    if (!this.layout) return;
    const hit = hitTest(this.layout, ev.offsetX, ev.offsetY);
    const m = this.layout.model;
    if (hit.pod !== undefined) this.select({ kind: 'pod', key: m.pods.keys[hit.pod] });
    else if (hit.node !== undefined) this.select({ kind: 'node', name: m.nodes[hit.node].name });
    this.render();
    this.metrics.clickMs = performance.now() - t0;
    document.body.dataset.clicks = String(Number(document.body.dataset.clicks ?? 0) + 1);
  }

  // ------------------------------------------------------------------ rendering

  render(): void {
    const t = this.viewTime;
    const tl = this.tl;
    const hello = tl.hello;
    $('source').textContent = hello ? `${hello.mode} · ${hello.source}${hello.seed !== undefined ? ` · seed ${hello.seed}` : ''}` : 'connecting…';
    const st = tl.status;
    const endT = tl.endTime();
    $('clock').textContent = fmtTime(st?.t ?? endT);
    if (this.mode === 'live' && st) {
      $('status').textContent = `${st.paused ? 'paused' : 'running'} · ${st.steps} steps · ${st.pending} pending${st.finished ? ' · scenario finished' : ''}${st.next[0] ? ` · next: ${st.next[0].type} → ${st.next[0].to} at ${fmtTime(st.next[0].due)}` : ''}`;
      document.body.dataset.steps = String(st.steps);
      document.body.dataset.paused = String(st.paused);
    } else {
      $('status').textContent = `${this.playing ? 'playing' : 'paused'} · ${tl.records.length} records · ${tl.changes.length} changes${tl.ended?.error ? ' · error: ' + tl.ended.error.split('\n')[0] : ''}`;
    }
    document.body.dataset.mode = this.mode;
    document.body.dataset.end = String(endT);
    document.body.dataset.viewTime = String(t);
    const scrub = $<HTMLInputElement>('scrubber');
    scrub.max = String(endT);
    scrub.value = String(t);
    $('viewtime').textContent = `${fmtTime(t)}${this.follow ? ' (live)' : ''}`;
    $('live').classList.toggle('on', this.follow);
    this.renderMarkers(endT);
    this.renderMap(t);
    this.renderPanel(t);
    this.metrics.renders++;
  }

  private renderMarkers(endT: number): void {
    const c = $<HTMLCanvasElement>('markers');
    const w = c.clientWidth || 800;
    if (c.width !== w) c.width = w;
    const ctx = c.getContext('2d')!;
    ctx.clearRect(0, 0, w, c.height);
    ctx.fillStyle = '#cbd2d9';
    ctx.fillRect(0, 10, w, 2);
    const colors = { fault: '#d64545', rollout: '#3e7bfa', scheduling: '#e5a50a', input: '#7b8794' };
    const end = endT || 1;
    for (const m of this.tl.markers()) {
      ctx.fillStyle = colors[m.kind];
      const x = Math.round((m.t / end) * (w - 4)) + 1;
      ctx.fillRect(x, m.kind === 'input' ? 6 : 1, 3, m.kind === 'input' ? 10 : 20);
    }
    ctx.fillStyle = '#1f2933';
    ctx.fillRect(Math.round((this.viewTime / end) * (w - 4)), 0, 2, 22);
    c.title = this.tl.markers().map((m) => `${fmtTime(m.t)} ${m.label}`).join('\n');
  }

  private renderMap(t: number): void {
    const model = this.tl.modelAt(t);
    const selKey = JSON.stringify(this.selection ?? null);
    if (model === this.drawnModel && selKey === this.drawnSel) return;
    const t0 = performance.now();
    const canvas = $<HTMLCanvasElement>('map');
    const width = Math.max(300, $('mapScroll').clientWidth - 2);
    if (model !== this.drawnModel || !this.layout || this.layout.width !== width) {
      this.layout = layoutMap(model, width);
      this.metrics.layoutMs = performance.now() - t0;
      this.renderLegendAndLists(model);
    }
    const L = this.layout;
    if (canvas.width !== L.width) canvas.width = L.width;
    if (canvas.height !== L.height) canvas.height = L.height;
    const sel: { node?: number; pod?: number } = {};
    if (this.selection?.kind === 'pod') {
      const key = this.selection.key;
      sel.pod = model.pods.keys.indexOf(key);
    } else if (this.selection?.kind === 'node') {
      const name = this.selection.name;
      sel.node = model.nodes.findIndex((n) => n.name === name);
    }
    drawMap(canvas.getContext('2d')!, L, sel);
    this.drawnModel = model;
    this.drawnSel = selKey;
    this.metrics.renderMs = performance.now() - t0;
    document.body.dataset.mapNodes = String(model.nodes.length);
    document.body.dataset.mapPods = String(model.pods.keys.length);
    document.body.dataset.mapRendered = String(Number(document.body.dataset.mapRendered ?? 0) + 1);
  }

  private renderLegendAndLists(model: ClusterModel): void {
    const counts = new Array(POD_STATUS.length).fill(0);
    for (const s of model.pods.status) counts[s]++;
    $('legend').innerHTML = POD_STATUS.map((s, i) => (counts[i] ? `<span><i style="background:${POD_COLOR[s]}"></i>${s} ${counts[i]}</span>` : '')).join('');
    const ready = model.nodes.filter((n) => n.ready === 'True').length;
    $('mapSummary').textContent = `${model.nodes.length} nodes (${ready} Ready) · ${model.pods.keys.length} pods`;
    const pending = this.layout!.pending;
    const chips = pending.slice(0, 60).map((i) => {
      const key = model.pods.keys[i];
      const st = POD_STATUS[model.pods.status[i]];
      return `<span class="chip" data-pod="${esc(key)}" style="background:${POD_COLOR[st]}" title="${esc(st)}">${esc(key.split('/')[1])}</span>`;
    });
    $('pendingQueue').innerHTML = pending.length
      ? `<b>Pending (${pending.length}):</b> ${chips.join('')}${pending.length > 60 ? ` … ${pending.length - 60} more` : ''}`
      : '<span class="muted">No pending pods</span>';
    for (const chip of $('pendingQueue').querySelectorAll<HTMLElement>('.chip')) chip.onclick = () => this.select({ kind: 'pod', key: chip.dataset.pod! }, 'explain');
    const svc = model.services.slice(0, 200).map((s) => `<div class="item" data-key="Service/${esc(s.key)}" title="${esc(s.type)} ${esc(s.clusterIP)} ${esc(s.ports)}">${esc(s.key)} <span class="muted">${esc(s.type)}</span></div>`).join('');
    const vol = model.volumes.slice(0, 200).map((v) => `<div class="item" data-key="${esc(v.kind)}/${esc(v.key)}">${v.kind === 'PersistentVolume' ? 'pv' : 'pvc'} ${esc(v.key)} <span class="muted">${esc(v.phase)} ${esc(v.capacity)}</span></div>`).join('');
    const workloads = this.mode === 'export' || this.tl.changes.length ? this.workloadItems() : '';
    $('sidelists').innerHTML = `<h4>Workloads</h4>${workloads || '<div class="muted">none</div>'}<h4>Services (${model.services.length})</h4>${svc || '<div class="muted">none</div>'}<h4>Volumes (${model.volumes.length})</h4>${vol || '<div class="muted">none</div>'}`;
    for (const item of $('sidelists').querySelectorAll<HTMLElement>('.item')) item.onclick = () => this.select({ kind: 'object', key: item.dataset.key! }, 'object');
  }

  private workloadItems(): string {
    const out: string[] = [];
    for (const [key, o] of this.tl.objectsAt(this.viewTime)) {
      if (!['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet', 'Job'].includes(o.kind)) continue;
      const ready = o.status?.readyReplicas ?? o.status?.numberReady ?? o.status?.succeeded ?? 0;
      const want = o.spec?.replicas ?? o.status?.desiredNumberScheduled ?? o.spec?.completions ?? '';
      out.push(`<div class="item" data-key="${esc(key)}">${esc(o.kind.toLowerCase())}/${esc(o.metadata.name)} <span class="muted">${ready}/${want}</span></div>`);
    }
    return out.slice(0, 200).join('');
  }

  private renderPanel(t: number): void {
    const key = `${this.tab}|${t}|${this.tl.version}|${JSON.stringify(this.selection ?? null)}|${this.actor}|${this.actorPart?.name}|${this.seqActors.join(',')}`;
    if (key === this.panelKey) return;
    this.panelKey = key;
    const el = $(`tab-${this.tab}`);
    switch (this.tab) {
      case 'object': this.renderObject(el, t); break;
      case 'actor': this.renderActor(el, t); break;
      case 'explain': this.renderExplain(el, t); break;
      case 'events': this.renderEvents(el, t); break;
      case 'actors': this.renderTree(el, t); break;
      case 'sequence': this.renderSequence(el, t); break;
    }
  }

  private selectedObject(t: number): any {
    const s = this.selection;
    if (!s) return undefined;
    const objects = this.tl.objectsAt(t);
    if (s.kind === 'pod') return objects.get(`Pod/${s.key}`);
    if (s.kind === 'node') return objects.get(`Node/${s.name}`);
    return objects.get(s.key);
  }

  private renderObject(el: HTMLElement, t: number): void {
    const s = this.selection;
    if (!s) {
      el.innerHTML = '<p class="muted">Click a node, a pod, a Service or a volume on the map.</p>';
      return;
    }
    const obj = this.selectedObject(t);
    const title = s.kind === 'pod' ? `pod/${s.key}` : s.kind === 'node' ? `node/${s.name}` : s.key;
    const parts: string[] = [`<h3 id="object-title">${esc(title)}</h3>`];
    const model = this.tl.modelAt(t);
    if (s.kind === 'node') {
      const nv = model.nodes.find((n) => n.name === s.name);
      if (nv) {
        const i = model.nodes.indexOf(nv);
        const pods = model.pods.keys.filter((_, k) => model.pods.node[k] === i);
        parts.push(`<table class="kv"><tr><td>zone</td><td>${esc(nv.zone ?? '')}</td></tr><tr><td>Ready</td><td>${esc(nv.ready)}</td></tr>` +
          `<tr><td>conditions</td><td>${esc(nv.conditions.join(', ') || 'healthy')}</td></tr><tr><td>cordoned</td><td>${nv.cordoned}</td></tr>` +
          `<tr><td>taints</td><td>${esc(nv.taints.join(', ') || 'none')}</td></tr>` +
          `<tr><td>allocatable used</td><td>cpu ${nv.used.cpu}m / ${nv.alloc.cpu}m, memory ${Math.round(nv.used.memory / 2 ** 20)}Mi / ${Math.round(nv.alloc.memory / 2 ** 20)}Mi, pods ${nv.used.pods} / ${nv.alloc.pods}</td></tr>` +
          `<tr><td>pods (${pods.length})</td><td id="node-pods">${pods.slice(0, 100).map((p) => `<span class="link" data-pod="${esc(p)}">${esc(p)}</span>`).join(', ')}${pods.length > 100 ? ' …' : ''}</td></tr></table>`);
      }
    }
    if (s.kind === 'pod' && !obj) {
      const i = model.pods.keys.indexOf(s.key);
      if (i >= 0) parts.push(`<p>status ${esc(POD_STATUS[model.pods.status[i]])} on ${esc(model.nodes[model.pods.node[i]]?.name ?? '(not bound)')}</p>`);
    }
    const actor = s.kind === 'pod' ? this.tl.podActor(s.key, t) : s.kind === 'node' ? `node/${s.name}` : this.actor;
    const links = [actor ? `<span class="link" id="goto-actor">actor ${esc(actor)} →</span>` : '', `<span class="link" id="goto-explain">explain →</span>`].filter(Boolean).join(' · ');
    parts.push(`<p>${links}</p>`);
    if (obj) {
      const kind = obj.kind;
      const name = obj.metadata?.name;
      const events = this.tl.eventsAt(t).filter((e) => e.kind === kind && e.object.endsWith(`/${name}`));
      parts.push(`<h4>Events (${events.length})</h4>${this.eventTable(events)}`);
      parts.push(`<h4>YAML</h4><pre class="yaml" id="object-yaml">${esc(stringify(obj))}</pre>`);
    } else if (this.tl.changes.length) parts.push('<p class="muted">Not in the store at this time.</p>');
    el.innerHTML = parts.join('');
    el.querySelector<HTMLElement>('#goto-actor')?.addEventListener('click', () => this.showTab('actor'));
    el.querySelector<HTMLElement>('#goto-explain')?.addEventListener('click', () => this.showTab('explain'));
    for (const p of el.querySelectorAll<HTMLElement>('[data-pod]')) p.onclick = () => this.select({ kind: 'pod', key: p.dataset.pod! }, 'object');
  }

  private eventTable(events: EventRow[]): string {
    if (!events.length) return '<p class="muted">No events.</p>';
    return `<table class="grid events"><tr><th>time</th><th>type</th><th>reason</th><th>object</th><th>source</th><th>message</th></tr>${events.map((e) =>
      `<tr class="${e.type === 'Warning' ? 'warn' : ''}"><td>${esc(fmtTime(e.t))}</td><td>${esc(e.type)}</td><td>${esc(e.reason)}</td><td>${esc(e.object)}</td><td>${esc(e.source)}</td><td>${esc(e.message)}${e.count > 1 ? ` (×${e.count})` : ''}</td></tr>`).join('')}</table>`;
  }

  private renderActor(el: HTMLElement, t: number): void {
    const id = this.actor;
    if (!id) {
      el.innerHTML = '<p class="muted">Select a pod, a node, a workload or an actor in the supervision tree.</p>';
      return;
    }
    const actors = this.tl.actorsAt(t);
    const a = actors.get(id);
    const info = this.tl.actorMachines.get(id);
    const frame = this.tl.frameAt(t)?.actors[id] as any;
    const parts: string[] = [`<h3>actor <span id="actor-id">${esc(id)}</span>${a ? `<span class="badge ${a.status}">${a.status}</span>` : '<span class="badge">not started</span>'}</h3>`];
    if (a) {
      parts.push(`<table class="kv"><tr><td>type</td><td>${esc(a.type)}</td></tr><tr><td>parent</td><td><span class="link" data-actor="${esc(a.parent)}">${esc(a.parent || '(top)')}</span></td></tr>` +
        `<tr><td>incarnation</td><td>${a.incarnation} (restarts ${a.restarts}, crashes ${a.crashes})</td></tr>` +
        `<tr><td>state</td><td id="actor-state">${esc(stateText(a.state))}</td></tr></table>`);
    }
    let machineId = info?.machine;
    let value: unknown = a?.state;
    const partButtons: string[] = [];
    if (info?.parts?.container && (frame?.containers || a?.parts)) {
      // The traced transitions (XState's inspection API) win over the last keyframe.
      const containers: Record<string, unknown> = { ...((frame?.containers as Record<string, unknown>) ?? {}), ...(a?.parts ?? {}) };
      for (const [name, v] of Object.entries(containers)) {
        partButtons.push(`<div>container <span class="link" data-part="${esc(name)}" data-machine="${esc(info.parts.container)}">${esc(name)}</span>: ${esc(stateText(v))}</div>`);
      }
      if (this.actorPart) {
        machineId = this.actorPart.machine;
        value = containers[this.actorPart.name];
      }
    }
    if (info?.parts?.object && frame?.objects) {
      for (const [name, v] of Object.entries(frame.objects as Record<string, any>)) {
        partButtons.push(`<div>${esc(info.parts.object)} <span class="link" data-part="${esc(name)}" data-machine="${esc(info.parts.object)}">${esc(name)}</span>: ${esc(v.state ?? '')}</div>`);
      }
      if (this.actorPart) {
        machineId = this.actorPart.machine;
        value = stateValueOf(frame.objects[this.actorPart.name]?.state);
      } else if (!machineId || machineId === '') {
        const first = Object.keys(frame.objects)[0];
        if (first) {
          machineId = info.parts.object;
          value = stateValueOf(frame.objects[first].state);
        }
      }
    }
    if (partButtons.length) parts.push(`<h4>Machines inside (at ${esc(fmtTime(this.tl.frameAt(t)?.t ?? 0))})</h4>${partButtons.join('')}${this.actorPart ? ` <span class="link" data-part="">back to the actor's own machine</span>` : ''}`);
    const graph = machineId ? this.tl.machines.get(machineId) : undefined;
    parts.push(`<h4>Statechart ${graph ? esc(graph.id) : ''}${this.actorPart ? ` (${esc(this.actorPart.name)})` : ''}</h4><div id="chart">${graph ? '<span class="muted">laying out…</span>' : '<span class="muted">This actor runs no statechart.</span>'}</div>`);
    const trans = this.tl.transitionsOf(this.actorPart && info?.parts?.container ? `${id}#${this.actorPart.name}` : id, t);
    parts.push(`<h4>Recent transitions</h4><table class="grid" id="transitions"><tr><th>time</th><th>what</th></tr>${trans.map((r) => `<tr><td>${esc(fmtTime(r.t))}</td><td>${esc(r.kind === 'state' ? stateText(r.value) : `${r.kind}${r.reason ? ': ' + r.reason : ''}`)}</td></tr>`).join('')}</table>`);
    el.innerHTML = parts.join('');
    for (const l of el.querySelectorAll<HTMLElement>('[data-actor]')) l.onclick = () => { this.actor = l.dataset.actor; this.actorPart = undefined; this.panelKey = ''; this.invalidate(); };
    for (const l of el.querySelectorAll<HTMLElement>('[data-part]')) {
      l.onclick = () => {
        this.actorPart = l.dataset.part ? { name: l.dataset.part, machine: l.dataset.machine! } : undefined;
        this.panelKey = '';
        this.invalidate();
      };
    }
    if (graph) void this.drawChart(graph, value, el.querySelector('#chart')!);
  }

  private async drawChart(graph: MachineGraph, value: unknown, into: HTMLElement): Promise<void> {
    try {
      const layout = await layoutMachine(graph);
      const active = new Set(value === undefined ? [] : activeStateIds(graph.id, value));
      into.replaceChildren(renderChart(layout, graph, active));
      into.dataset.machine = graph.id;
      into.dataset.active = [...active].join(' ');
      this.metrics.chartRenders++;
    } catch (e) {
      into.textContent = `layout failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  private renderExplain(el: HTMLElement, t: number): void {
    const s = this.selection;
    if (!s) {
      el.innerHTML = '<p class="muted">Select a pod (why on its node, or why still Pending) or a Deployment / StatefulSet (what its controller waits for).</p>';
      return;
    }
    const parts: string[] = [];
    if (s.kind === 'pod') {
      const pod = this.selectedObject(t);
      const d = this.tl.decisionFor(s.key, t);
      parts.push(`<h3>Why is pod ${esc(s.key)} ${pod?.spec?.nodeName ? `on ${esc(pod.spec.nodeName)}` : 'not on a node'}?</h3>`);
      if (!d) parts.push(pod?.spec?.nodeName ? '<p>The scheduler made no recorded decision for this pod (it was bound directly, or before the recording).</p>' : '<p>The scheduler has not tried this pod yet.</p>');
      else {
        parts.push(`<div class="explain-lines" id="explain-lines">${esc(explainPlacement(d as any).join('\n'))}</div>`);
        const rows = (d.nodes ?? []).map((v: any) => {
          const r = filterResults(d as any, v);
          const failed = Object.entries(r).filter(([, x]) => x !== 'pass' && x !== 'not run');
          return `<tr class="${v.rejectedBy ? 'warn' : ''}"><td>${esc(v.node)}${v.node === d.node ? ' ✔' : ''}</td><td>${v.rejectedBy ? esc(`${v.rejectedBy}: ${failed.map(([, x]) => x).join('; ')}`) : 'all filters pass'}</td><td>${v.total ?? ''}</td></tr>`;
        });
        parts.push(`<h4>Per node</h4><table class="grid"><tr><th>node</th><th>filters</th><th>score</th></tr>${rows.join('')}</table>`);
      }
    } else if (s.kind === 'object' && /^(Deployment|StatefulSet|Job)\//.test(s.key)) {
      const [kind, ns, name] = s.key.split('/');
      const ctl = kind === 'Deployment' ? 'deployment-controller' : kind === 'StatefulSet' ? 'statefulset-controller' : 'job-controller';
      const frame = this.tl.frameAt(t);
      const entry = (frame?.actors[ctl] as any)?.objects?.[`${ns}/${name}`];
      const obj = this.selectedObject(t);
      parts.push(`<h3>What is the ${esc(ctl)} waiting for with ${esc(kind.toLowerCase())}/${esc(name)}?</h3>`);
      if (!entry) parts.push('<p>The controller has no machine for this object at this time (not synced yet).</p>');
      else {
        const state = String(entry.state ?? '');
        parts.push(`<p id="explain-state"><b>${esc(state)}</b>: ${esc(waitingFor(kind, state, obj))}</p>`);
        const ctx = entry.context ?? Object.fromEntries(Object.entries(entry).filter(([k]) => k !== 'state'));
        parts.push(`<table class="kv">${Object.entries(ctx).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(typeof v === 'object' ? JSON.stringify(v) : v)}</td></tr>`).join('')}</table>`);
      }
      if (obj?.status) parts.push(`<h4>status</h4><pre class="yaml">${esc(stringify(obj.status))}</pre>`);
    } else if (s.kind === 'node') {
      const model = this.tl.modelAt(t);
      const nv = model.nodes.find((n) => n.name === s.name);
      parts.push(`<h3>Node ${esc(s.name)}</h3><p>${nv ? esc(nv.ready === 'True' ? (nv.cordoned ? 'Ready but cordoned: the scheduler skips it.' : 'Ready and schedulable.') : `Ready=${nv.ready}: the node lifecycle controller taints it; pods without a matching toleration are evicted when their tolerationSeconds run out.`) : ''}</p>`);
    } else parts.push('<p class="muted">Explanations cover pods, nodes, Deployments, StatefulSets and Jobs.</p>');
    el.innerHTML = parts.join('');
  }

  private renderEvents(el: HTMLElement, t: number): void {
    const existing = el.querySelector<HTMLInputElement>('#f-object');
    const f = existing
      ? { object: existing.value, kind: el.querySelector<HTMLInputElement>('#f-kind')!.value, reason: el.querySelector<HTMLInputElement>('#f-reason')!.value, actor: el.querySelector<HTMLInputElement>('#f-actor')!.value }
      : { object: '', kind: '', reason: '', actor: '' };
    const match = (v: string, q: string) => !q || v.toLowerCase().includes(q.toLowerCase());
    const events = this.tl.eventsAt(t).filter((e) => match(e.object, f.object) && match(e.kind, f.kind) && match(e.reason, f.reason) && match(e.source, f.actor));
    const table = `<div id="event-count" class="muted">${events.length} event(s) at ${esc(fmtTime(t))}</div>${this.eventTable(events)}`;
    if (!existing) {
      el.innerHTML = `<div class="filters">filter: <input id="f-object" placeholder="object"><input id="f-kind" placeholder="kind"><input id="f-reason" placeholder="reason"><input id="f-actor" placeholder="actor / source"></div><div id="event-table"></div>`;
      for (const i of el.querySelectorAll<HTMLInputElement>('input')) i.oninput = () => { this.panelKey = ''; this.invalidate(); };
    }
    el.querySelector('#event-table')!.innerHTML = table;
  }

  private renderTree(el: HTMLElement, t: number): void {
    const actors = this.tl.actorsAt(t);
    const roots = [...actors.values()].filter((a) => !actors.has(a.parent));
    const node = (a: (typeof roots)[number], depth: number): string => {
      const kids = a.children.map((c) => actors.get(c)).filter((x): x is NonNullable<typeof x> => Boolean(x));
      const state = a.state !== undefined ? ` <span class="muted">${esc(stateText(a.state))}</span>` : '';
      const restarts = a.restarts ? ` <span class="badge crashed">${a.restarts} restart(s)</span>` : '';
      const body = kids.length ? `<ul class="tree">${kids.map((k) => node(k, depth + 1)).join('')}</ul>` : '';
      return `<li><span class="link" data-actor="${esc(a.id)}">${esc(a.id)}</span><span class="badge ${a.status}">${a.status}</span>${restarts}${state}${body}</li>`;
    };
    el.innerHTML = `<p class="muted">${actors.size} actors at ${esc(fmtTime(t))}. Click one to see its statechart.</p><ul class="tree" id="supervision">${roots.map((r) => node(r, 0)).join('')}</ul>`;
    for (const l of el.querySelectorAll<HTMLElement>('[data-actor]')) {
      l.onclick = () => {
        this.actor = l.dataset.actor;
        this.actorPart = undefined;
        if (!this.seqActors.includes(this.actor!)) this.seqActors = [...this.seqActors, this.actor!].slice(-6);
        this.showTab('actor');
      };
    }
  }

  private renderSequence(el: HTMLElement, t: number): void {
    const actors = this.seqActors.length ? this.seqActors : ['kubectl', 'kube-apiserver', 'kube-scheduler'];
    const msgs = this.tl.messagesBetween(actors, t, 60);
    const colW = 150;
    const rowH = 18;
    const w = actors.length * colW;
    const h = 40 + msgs.length * rowH + 10;
    const x = (a: string) => actors.indexOf(a) * colW + colW / 2;
    const lines = actors.map((a) => `<line x1="${x(a)}" y1="28" x2="${x(a)}" y2="${h}" stroke="#cbd2d9"/><text x="${x(a)}" y="16" text-anchor="middle" font-weight="600">${esc(a.length > 24 ? '…' + a.slice(-23) : a)}</text>`).join('');
    const arrows = msgs.map((m, i) => {
      const y = 40 + i * rowH;
      const x1 = x(m.from as string);
      const x2 = x(m.to as string);
      const self = x1 === x2;
      const path = self ? `M ${x1} ${y - 6} h 20 v 8 h -18` : `M ${x1} ${y} L ${x2 + (x2 > x1 ? -4 : 4)} ${y}`;
      return `<path d="${path}" stroke="#3e7bfa" fill="none" marker-end="url(#seq-arrow)"/><text x="${self ? x1 + 24 : (x1 + x2) / 2}" y="${y - 3}" text-anchor="${self ? 'start' : 'middle'}" font-size="10">${esc(m.mtype)} <tspan fill="#7b8794">${esc(fmtTime(m.t))}</tspan></text>`;
    }).join('');
    const options = [...this.tl.actorsAt(t).keys()].sort().map((a) => `<option value="${esc(a)}" ${actors.includes(a) ? 'selected' : ''}>${esc(a)}</option>`).join('');
    el.innerHTML = `<p>Messages between the selected actors, up to ${esc(fmtTime(t))} (last ${msgs.length}). Select actors (ctrl-click for several):</p>` +
      `<select id="seq-actors" multiple size="6" style="width:100%">${options}</select>` +
      `<svg id="sequence" width="${w}" height="${h}" font-family="system-ui" font-size="11"><defs><marker id="seq-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0 0L10 5L0 10z" fill="#3e7bfa"/></marker></defs>${lines}${arrows}</svg>`;
    const sel = el.querySelector<HTMLSelectElement>('#seq-actors')!;
    sel.onchange = () => {
      this.seqActors = [...sel.selectedOptions].map((o) => o.value);
      this.invalidate();
    };
  }
}

function stateValueOf(dotted: unknown): unknown {
  if (typeof dotted !== 'string') return dotted;
  const parts = dotted.split('.');
  let v: unknown = parts[parts.length - 1];
  for (let i = parts.length - 2; i >= 0; i--) v = { [parts[i]]: v };
  return v;
}

/** What a controller in `state` waits for, in the words of the workload's documentation. */
export function waitingFor(kind: string, state: string, obj: any): string {
  const st = obj?.status ?? {};
  const want = obj?.spec?.replicas ?? 1;
  const table: Record<string, string> = {
    'Progressing.ScalingUpNewRS': `scaling up the new ReplicaSet (${st.updatedReplicas ?? 0}/${want} updated)`,
    'Progressing.WaitingForNewPodsAvailable': `waiting for the new pods to become available (${st.availableReplicas ?? 0}/${want} available for minReadySeconds)`,
    'Progressing.ScalingDownOldRS': 'scaling down the old ReplicaSets within maxUnavailable',
    'Progressing.WaitingForOldPodsTerminated': 'Recreate: waiting for every old pod to terminate before scaling up the new ReplicaSet',
    Complete: 'nothing: the rollout is complete (NewReplicaSetAvailable)',
    Paused: 'a resume: the rollout is paused (kubectl rollout resume)',
    ProgressDeadlineExceeded: 'progress: progressDeadlineSeconds passed without progress (ProgressDeadlineExceeded); it keeps trying',
    Idle: `nothing: ${st.readyReplicas ?? 0}/${want} replicas ready and current`,
    Terminating: 'the StatefulSet being deleted',
  };
  if (table[state]) return table[state];
  if (kind === 'StatefulSet') {
    if (state.includes('WaitingForHealthyPredecessor') || state.includes('WaitingForReady')) return `an earlier ordinal to be Running and Ready (OrderedReady), ${st.readyReplicas ?? 0}/${want} ready`;
    if (state.includes('WaitingForTermination')) return 'a pod to finish terminating before its ordinal is replaced';
    if (state.includes('WaitingForUpdatedReady')) return 'the updated pod to become Ready before the next ordinal is updated';
    if (state.includes('Creating')) return 'a pod of the next ordinal to be created';
  }
  if (kind === 'Job') return `the Job's pods: ${st.active ?? 0} active, ${st.succeeded ?? 0} succeeded, ${st.failed ?? 0} failed`;
  return state;
}

const app = new App();
(window as any).__inspector = {
  app,
  timeline: app.tl,
  metrics: app.metrics,
  /** Nodes as the map shows them at the view time, with their pods. */
  mapSummary(): { t: number; nodes: Array<{ name: string; ready: string; pods: string[] }>; pending: string[] } {
    const m = app.tl.modelAt(app.viewTime);
    const nodes = m.nodes.map((n) => ({ name: n.name, ready: n.ready, pods: [] as string[] }));
    const pending: string[] = [];
    m.pods.keys.forEach((k, i) => (m.pods.node[i] >= 0 ? nodes[m.pods.node[i]].pods.push(`${k} ${POD_STATUS[m.pods.status[i]]}`) : pending.push(k)));
    return { t: app.viewTime, nodes, pending };
  },
  /** Where a pod's dot (or a node's box) is, in page coordinates, for a real mouse click. */
  pointOf(what: { pod?: string; node?: string }): { x: number; y: number } | undefined {
    const L = (app as any).layout as MapLayout | undefined;
    if (!L) return undefined;
    const canvas = document.getElementById('map')!;
    const scroller = document.getElementById('mapScroll')!;
    let x: number;
    let y: number;
    if (what.pod) {
      const i = L.model.pods.keys.indexOf(what.pod);
      if (i < 0 || L.podX[i] !== L.podX[i]) return undefined;
      x = L.podX[i] + 2;
      y = L.podY[i] + 2;
    } else {
      const i = L.model.nodes.findIndex((n) => n.name === what.node);
      if (i < 0) return undefined;
      x = L.nodeX[i] + L.boxW - 3;
      y = L.nodeY[i] + 3;
    }
    scroller.scrollTop = Math.max(0, y - 40);
    scroller.scrollLeft = Math.max(0, x - 40);
    const r = canvas.getBoundingClientRect();
    return { x: r.left + x, y: r.top + y };
  },
};
app.start();
