// A trace sink that writes JSON lines to a file.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { TraceSink } from '../runtime/index.ts';

export class FileTraceSink implements TraceSink {
  private fd: number;
  private buffer: string[] = [];

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(line: string): void {
    this.buffer.push(line);
    if (this.buffer.length >= 1024) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.fd, this.buffer.join('\n') + '\n');
    this.buffer = [];
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
