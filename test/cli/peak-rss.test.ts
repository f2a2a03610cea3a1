// maxRssMb in --json is the CLI's own peak, not its parent's: on Linux,
// resourceUsage().maxRSS survives execve and reads the parent's RSS at the fork.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { peakRssMb } from '../../src/cli/peak-rss.ts';
import { actorManifest, bin } from './support.ts';

test('peakRssMb reads VmHWM from /proc/self/status', () => {
  assert.is(peakRssMb(() => 'Name:\tnode\nVmPeak:\t 999999 kB\nVmHWM:\t   51200 kB\nVmRSS:\t   40000 kB\n'), 50);
});

test('peakRssMb falls back to resourceUsage() without /proc (or without the line)', () => {
  const fallback = process.resourceUsage().maxRSS / 1024;
  const noProc = peakRssMb(() => { throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' }); });
  assert.ok(noProc >= fallback * 0.5 && noProc > 0, `${noProc} MiB`);
  assert.ok(peakRssMb(() => 'Name:\tnode\n') > 0);
});

test('a CLI run started by a process holding 400 MB reports its own peak, far below it', () => {
  if (process.platform !== 'linux') return;
  const ballast = Buffer.alloc(400 * 1024 * 1024, 1); // resident: filled
  const r = bin('run', actorManifest('sleeper'), '--instances', '1', '--json');
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { maxRssMb: number };
  assert.ok(out.maxRssMb > 0 && out.maxRssMb < 300, `maxRssMb ${out.maxRssMb} (the parent holds ${ballast.length >> 20} MiB)`);
});

test.run();
