// npm run demo: builds the test actors, runs the wasi-clocks-test actor from its
// manifest through the theater-timing CLI with its event chain recorded, checks
// the chain, prints a short timeline of the actor's timing calls, and writes
// the timeline page (`theater-timing timeline`) to out/demo/, printing its path.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseChainJsonl } from '../src/events/chain.ts';
import { formatTimeline } from '../src/events/timeline.ts';
import { formatSummary, verifyChain } from '../src/events/verify.ts';

const root = join(import.meta.dirname, '..');
const manifest = join('test-actors', 'wasi-clocks-test', 'manifest.toml');
const bundled = join(root, 'dist', 'theater-timing.js');
const cli = existsSync(bundled) ? bundled : join(root, 'src', 'cli', 'main.ts');

execFileSync(process.execPath, [join(root, 'scripts', 'build-actors.ts')], { cwd: root, stdio: 'inherit' });

const dir = join(root, 'out', 'demo'); // git-ignored; kept so the page can be opened afterwards
mkdirSync(dir, { recursive: true });
const events = join(dir, 'wasi-clocks-test.events.jsonl');
const page = join(dir, 'wasi-clocks-test.timeline.html');
console.log(`\n$ theater-timing run ${manifest} --events ${events}`);
const run = spawnSync(process.execPath, [cli, 'run', manifest, '--events', events], { cwd: root, encoding: 'utf8' });
process.stdout.write(run.stdout);
process.stderr.write(run.stderr);
if (run.status !== 0) {
  console.error(`demo: the actor run failed with exit code ${String(run.status)}`);
  process.exit(1);
}
const text = readFileSync(events, 'utf8');
const verdict = verifyChain(text);
console.log(`\n$ theater-timing verify ${events}\n${formatSummary(verdict)}`);
if (!verdict.ok) process.exit(1);
console.log('\ntimeline (times relative to the first monotonic-clock now):');
for (const line of formatTimeline(parseChainJsonl(text))) console.log(`  ${line}`);

console.log(`\n$ theater-timing timeline ${events} -o ${page}`);
const timeline = spawnSync(process.execPath, [cli, 'timeline', events, '-o', page], { cwd: root, encoding: 'utf8' });
process.stderr.write(timeline.stderr);
if (timeline.status !== 0) {
  console.error(`demo: theater-timing timeline failed with exit code ${String(timeline.status)}`);
  process.exit(1);
}
console.log(`timeline page: ${page}`);
