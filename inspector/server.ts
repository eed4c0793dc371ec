// The inspector's server, on 127.0.0.1 only: serves the page and its bundle, streams protocol
// messages as server-sent events (every message so far to a page that connects, then the new
// ones), and takes the page's commands (POST /command) to pause, step, play and pace the run.
// The run itself happens in a worker thread (inspector/worker-main.ts), so a scenario that
// drives its cluster synchronously can be paused while the server keeps answering.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Worker } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import { PROTOCOL, type ClientCommand, type ServerMessage } from './protocol.ts';
import { Controls } from './pacer.ts';
import { elkScript, pageScript, servedPage } from './assets.ts';
import type { RunSource, WorkerJob, WorkerReply } from './run-source.ts';

const WORKER = new URL('./worker.mjs', import.meta.url);
/** Messages per server-sent event when a page catches up. */
const CATCH_UP_BATCH = 2000;

export interface LiveOptions {
  port?: number;
  /** Virtual ms per wall ms (default 1); 0 = as fast as possible. */
  speed?: number;
  /** Start paused (the page's Play or Step starts it). */
  paused?: boolean;
  /** Silence the scenario's console output. */
  quiet?: boolean;
  frameEveryMs?: number;
  seed?: number;
}

export class InspectorServer {
  readonly messages: ServerMessage[] = [];
  private readonly clients = new Set<ServerResponse>();
  private http: Server | undefined;
  private worker: Worker | undefined;
  private controls: Controls | undefined;
  private doneResolve: (() => void) | undefined;
  /** Settles when the run's worker has finished (replay: recorded; live: stopped). */
  readonly done: Promise<void>;
  url = '';

  private constructor() {
    this.done = new Promise((resolve) => { this.doneResolve = resolve; });
  }

  /** Runs `source` paced in a worker and serves it live. */
  static async live(source: RunSource, title: string, opts: LiveOptions = {}): Promise<InspectorServer> {
    const s = new InspectorServer();
    s.controls = new Controls();
    s.controls.setSpeed(opts.speed ?? 1);
    if (opts.paused) s.controls.pause();
    s.push([{ type: 'hello', protocol: PROTOCOL, mode: 'live', source: title, seed: opts.seed, epoch: EPOCH, controls: true }]);
    await s.listen(opts.port ?? 0);
    s.startWorker({ source, paced: true, controls: s.controls.buffer, frameEveryMs: opts.frameEveryMs, quiet: opts.quiet ?? false });
    return s;
  }

  /** Serves recorded messages (a replay). */
  static async recorded(messages: ServerMessage[], port = 0): Promise<InspectorServer> {
    const s = new InspectorServer();
    s.push(messages);
    s.doneResolve?.();
    await s.listen(port);
    return s;
  }

  private startWorker(job: WorkerJob): void {
    const w = new Worker(WORKER, { workerData: job });
    this.worker = w;
    w.on('message', (reply: WorkerReply) => {
      if ('batch' in reply) this.push(reply.batch);
      else this.doneResolve?.();
    });
    w.on('error', (e) => {
      this.push([{ type: 'end', t: 0, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }]);
      this.doneResolve?.();
    });
    w.on('exit', () => this.doneResolve?.());
  }

  /** Appends messages and sends them to every connected page. */
  push(batch: ServerMessage[]): void {
    if (batch.length === 0) return;
    for (const m of batch) this.messages.push(m);
    const data = `data: ${JSON.stringify(batch)}\n\n`;
    for (const c of this.clients) c.write(data);
  }

  command(cmd: ClientCommand): { ok: boolean; error?: string } {
    const c = this.controls;
    if (!c) return { ok: false, error: 'a replay has no runtime to drive: the page plays it back itself' };
    switch (cmd.op) {
      case 'pause': c.pause(); break;
      case 'play': c.play(); break;
      case 'step': c.step(cmd.count ?? 1); break;
      case 'speed': c.setSpeed(Number(cmd.speed)); break;
      default: return { ok: false, error: `unknown op ${(cmd as { op: string }).op}` };
    }
    return { ok: true };
  }

  private listen(port: number): Promise<void> {
    this.http = createServer((req, res) => void this.handle(req, res));
    return new Promise((resolve, reject) => {
      this.http!.once('error', reject);
      this.http!.listen(port, '127.0.0.1', () => {
        const a = this.http!.address() as AddressInfo;
        this.url = `http://127.0.0.1:${a.port}/`;
        resolve();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    try {
      if (req.method === 'GET' && (path === '/' || path === '/index.html')) return send(res, 200, 'text/html; charset=utf-8', servedPage());
      if (req.method === 'GET' && path === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', await pageScript());
      if (req.method === 'GET' && path === '/elk.js') return send(res, 200, 'text/javascript; charset=utf-8', elkScript());
      if (req.method === 'GET' && path === '/messages') return send(res, 200, 'application/json', JSON.stringify(this.messages));
      if (req.method === 'GET' && path === '/events') return this.stream(req, res);
      if (req.method === 'POST' && path === '/command') {
        const body = await readBody(req);
        let cmd: ClientCommand;
        try {
          cmd = JSON.parse(body);
        } catch {
          return send(res, 400, 'application/json', JSON.stringify({ ok: false, error: 'body is not JSON' }));
        }
        const r = this.command(cmd);
        return send(res, r.ok ? 200 : 409, 'application/json', JSON.stringify(r));
      }
      send(res, 404, 'text/plain', 'not found');
    } catch (e) {
      send(res, 500, 'text/plain', e instanceof Error ? e.message : String(e));
    }
  }

  private stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    for (let i = 0; i < this.messages.length; i += CATCH_UP_BATCH) res.write(`data: ${JSON.stringify(this.messages.slice(i, i + CATCH_UP_BATCH))}\n\n`);
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
  }

  async close(): Promise<void> {
    this.controls?.stop();
    for (const c of this.clients) c.end();
    this.clients.clear();
    if (this.worker) await this.worker.terminate();
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
  }
}

/** Virtual time 0 as a wall-clock instant (api/time.ts DEFAULT_EPOCH). */
const EPOCH = Date.parse('2025-01-01T00:00:00Z');

function send(res: ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      body += c;
      if (body.length > 1e6) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** Runs `source` unpaced in a worker and returns every message (replay and export). */
export function recordRun(source: RunSource, title: string, opts: { seed?: number; frameEveryMs?: number } = {}): Promise<ServerMessage[]> {
  const messages: ServerMessage[] = [{ type: 'hello', protocol: PROTOCOL, mode: 'replay', source: title, seed: opts.seed, epoch: EPOCH, controls: false }];
  const job: WorkerJob = { source, paced: false, frameEveryMs: opts.frameEveryMs, quiet: true };
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { workerData: job });
    w.on('message', (reply: WorkerReply) => {
      if ('batch' in reply) for (const m of reply.batch) messages.push(m);
      else resolve(messages);
    });
    w.on('error', reject);
    w.on('exit', () => resolve(messages));
  });
}
