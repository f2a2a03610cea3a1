// Issue 20, interrupted sharded runs: SIGINT, SIGTERM or SIGHUP to the parent
// of `run … --shards 2 --events x.jsonl` stops its shards and removes the
// temporary chain and the /tmp/theater-timing-shards-* spool, as a single run
// removes its temporary chain, then the parent dies of the same signal.
// SIGTERM through the binary; SIGINT and SIGHUP through src/cli/main.ts (the
// same CLI from source, so c8 sees the handlers run). TMPDIR points at a
// folder of this test's own, so the spool is found and nothing else is counted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { actorManifest, BIN, ROOT, tempDir } from './support.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));

const SLEEP_20S = '00c817a804000000';

async function until(what: string, done: () => boolean, timeoutMs = 60_000): Promise<void> {
  for (let waited = 0; !done(); waited += 50) {
    if (waited > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function childrenOf(pid: number): number[] {
  const out = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout;
  return out.split('\n').map((line) => Number(line.trim())).filter((n) => n > 0);
}

const ENTRY = join(ROOT, 'src', 'cli', 'main.ts');

for (const [signal, entry] of [['SIGTERM', BIN], ['SIGINT', ENTRY], ['SIGHUP', ENTRY]] as const) {
  test(`${signal} to a sharded run: shards stopped, no temporary chain, no spool; the parent dies of ${signal} (${entry === BIN ? 'binary' : 'source'})`, async () => {
    const tmp = join(dir, `tmp-${signal}`);
    const out = join(dir, `out-${signal}`);
    mkdirSync(tmp);
    mkdirSync(out);
    const events = join(out, 'x.jsonl');
    const parent = spawn(process.execPath, [entry, 'run', actorManifest('sleeper'), '--instances', '4', '--shards', '2', '--events', events, '--state-hex', SLEEP_20S],
      { cwd: ROOT, stdio: 'ignore', env: { ...process.env, TMPDIR: tmp } });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => parent.once('exit', (_code, sig) => resolve(sig)));
    const spool = (): string[] => readdirSync(tmp).filter((name) => name.startsWith('theater-timing-shards-'));
    // Running: the spool exists, and both shards have opened their chain files in it.
    await until('the spool', () => spool().length === 1);
    await until('both shards', () => readdirSync(join(tmp, spool()[0])).filter((name) => name.endsWith('.tmp')).length === 2);
    const shards = childrenOf(parent.pid as number);
    assert.is(shards.length, 2);
    assert.is(readdirSync(out).filter((name) => name.endsWith('.tmp')).length, 1, 'the parent\'s temporary chain');
    parent.kill(signal);
    assert.is(await exited, signal, `the parent dies of ${signal}`);
    await until('the shards to exit', () => shards.every((pid) => !alive(pid)), 30_000);
    await until('the spool to go', () => readdirSync(tmp).length === 0, 30_000);
    assert.equal(readdirSync(tmp), [], 'nothing left in TMPDIR');
    assert.equal(readdirSync(out), [], 'no chain, no temporary file');
    assert.not.ok(existsSync(events));
  });
}

test.run();
