// Summarises .cpuprofile files: `node bench/dist/summarise-profile.js FILE [FILE…] [--requests N]`
// (a profile from `node --cpu-prof`, or one the benchmark saved in bench/results/).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { table } from './lib/format.ts';
import { summarise, type CpuProfile } from './lib/cpuprofile.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { requests: { type: 'string' }, top: { type: 'string', default: '25' } } });
const top = Number(values.top);
for (const file of positionals) {
  const summary = summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const per = values.requests ? Number(values.requests) : 1;
  const unit = values.requests ? 'µs/request' : 'µs';
  console.log(`\n${file}: ${(summary.total / 1e6).toFixed(2)} s sampled, ${(summary.busy / 1e6).toFixed(2)} s busy\n`);
  console.log(
    table(
      ['owner', unit, 'share of busy'],
      [...summary.categories]
        .filter(([name]) => name !== '(idle)' && name !== '(root)')
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([name, self]) => [name, (self / per).toFixed(1), `${((self / summary.busy) * 100).toFixed(1)}%`]),
    ),
  );
  console.log('');
  console.log(
    table(
      ['function', 'where', 'owner', `self ${unit}`, `inclusive ${unit}`],
      summary.functions
        .filter((fn) => fn.category !== '(idle)')
        .slice(0, top)
        .map((fn) => [fn.name, fn.where, fn.category, (fn.self / per).toFixed(1), (fn.total / per).toFixed(1)]),
    ),
  );
}
