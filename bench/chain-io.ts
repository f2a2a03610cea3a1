// Chain I/O at size, through the binary: record a ~200 MB chain of each format
// (clock-spinner, a now() loop, stopped by max_events), then time `verify` and
// `run --replay` on the same file, with each process's peak RSS; with
// --big, also record (and verify) a 2 000 000-event Theater chain.
// Run: node bench/chain-io.ts [--big]   (bench/RESULTS.md quotes it)
// Needs /usr/bin/time (GNU) for the peak RSS; the replay ends in exit 4: the
// recording ends with the budget's trap, which a replay does not repeat, so
// the guest's next now() is past the end (every recorded event was served).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'dist', 'theater-timing.js');
const SPIN_10000_S = '00a0724e18090000'; // u64 LE ns: spin far longer than the budget lets it
const dir = mkdtempSync(join(tmpdir(), 'theater-timing-chain-io-'));

interface Timed { seconds: number; rssMb: number; status: number | null; stderr: string }

function timed(...args: string[]): Timed {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const last = r.stderr.trimEnd().split('\n').at(-1) ?? '';
  const [seconds, kb] = last.split(' ').map(Number);
  return { seconds, rssMb: kb / 1024, status: r.status, stderr: r.stderr };
}

function manifest(events: number): string {
  const path = join(dir, `spin-${events}.toml`);
  writeFileSync(path, `name = "clock-spinner"\nversion = "0.1.0"\ncomponent = ${JSON.stringify(join(ROOT, 'test-actors', 'build', 'clock-spinner.wasm'))}\n[[handler]]\ntype = "timing"\nmax_events = ${events}\n`);
  return path;
}

const row = (what: string, t: Timed, note = ''): string => `| ${what} | ${t.seconds.toFixed(2)} s | ${t.rssMb.toFixed(0)} MB | ${t.status} | ${note} |`;

function measure(format: 'jsonl' | 'theater', events: number, replay: boolean): string[] {
  const toml = manifest(events);
  const chain = join(dir, format === 'theater' ? `spin-${events}.chain.json` : `spin-${events}.jsonl`);
  const record = timed('run', toml, '--events', chain, '--chain-format', format, '--state-hex', SPIN_10000_S);
  const mb = statSync(chain).size / 2 ** 20;
  const rows = [row(`${format}: record ${events.toLocaleString('en-US')} now() events (${mb.toFixed(0)} MB)`, record)];
  const verify = timed('verify', chain);
  rows.push(row(`${format}: verify`, verify));
  if (replay) {
    const replayed = timed('run', toml, '--replay', chain, '--state-hex', SPIN_10000_S);
    rows.push(row(`${format}: run --replay`, replayed, `${(replayed.seconds / verify.seconds).toFixed(2)}× verify`));
  }
  rmSync(chain, { force: true });
  return rows;
}

try {
  const rows = ['| step | wall | peak RSS | exit | |', '| --- | --- | --- | --- | --- |'];
  rows.push(...measure('jsonl', 860_000, true), ...measure('theater', 280_000, true));
  if (process.argv.includes('--big')) rows.push(...measure('theater', 2_000_000, false));
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}`);
  console.log(rows.join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
