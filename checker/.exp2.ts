import { Execution } from './execution.ts';
import { loadCheck } from './replay-file.ts';
const { def } = await loadCheck('checker/checks/sts-ordered-ready.check.ts', 'real');
const exec = await Execution.start({ ...def, depth: 1000 });
let n = 0;
for (let o = exec.advance(); o.length; o = exec.advance()) {
  const pods = exec.objects('Pod', 'default').map((p) => `${p.metadata.name}:${p.status?.phase ?? '-'}${(p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True') ? 'R' : ''}`).join(',');
  if (n < 80) console.log(n, exec.now(), o.map((x) => x.choice).join(' '), '|', pods);
  exec.choose(o, '.');
  n++;
}
console.log('choice points', n, 'time', exec.now(), exec.violation);
