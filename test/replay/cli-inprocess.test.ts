// The CLI in process (so coverage sees it): replay in Theater's format, and a
// manifest's replay handler with its refusals.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.ts';
import { loadManifest } from '../../src/manifest/manifest.ts';
import { registryFor } from '../../src/runtime/fleet.ts';
import type { ReplayHandler } from '../../src/replay/replay-handler.ts';
import { actorManifest, actorWasm, tempDir, writeManifest } from '../cli/support.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, isTTY: false });
  return { code, stdout, stderr };
}

const replaying = (wasm: string, chain: string, timing = true): string =>
  `name = "t"\nversion = "1"\npackage = ${JSON.stringify(actorWasm(wasm))}\n${timing ? '[[handler]]\ntype = "timing"\n' : ''}[[handler]]\ntype = "replay"\nchain = ${JSON.stringify(chain)}\n`;

test('Theater format: record, verify, replay through a manifest\'s replay handler, same chain back', async () => {
  const recorded = join(dir, 'seed.chain.json');
  const again = join(dir, 'again.chain.json');
  assert.is((await cli('run', actorManifest('wasi-clocks-test'), '--events', recorded, '--chain-format', 'theater')).code, 0);
  assert.is((await cli('verify', recorded)).code, 0);
  const manifest = writeManifest(dir, 'replay.toml', replaying('wasi-clocks-test', 'seed.chain.json', false));
  const r = await cli('run', manifest, '--events', again, '--chain-format', 'theater');
  assert.is(r.code, 0, r.stderr);
  const events = (JSON.parse(readFileSync(recorded, 'utf8')) as unknown[]).length;
  assert.is(r.stdout, `wasi-clocks-test: all checks passed\nreplay ok: ${events} events matched\n`);
  assert.is(readFileSync(again, 'utf8'), readFileSync(recorded, 'utf8'));
  // The API's registryFor serves the manifest's replay handler too, with the timing entry's limits when there is one.
  const [handler] = registryFor(loadManifest(manifest), 'jspi').handlers() as ReplayHandler[];
  assert.is(handler.session.limits, null);
  const withTiming = writeManifest(dir, 'replay-timing.toml', replaying('wasi-clocks-test', 'seed.chain.json'));
  const served = registryFor(loadManifest(withTiming), 'jspi').handlers() as ReplayHandler[];
  assert.equal(served.map((h) => h.session.limits), [{ minNs: 1_000_000n, maxNs: 3_600_000_000_000n }]);
});

test('a manifest\'s replay handler: one instance, real clock, a readable chain; else exit 2 naming the entry', async () => {
  const bad = join(dir, 'bad.chain.json');
  writeFileSync(bad, '[{"hash":[]}]');
  const manifest = writeManifest(dir, 'replay-bad.toml', replaying('sleeper', 'bad.chain.json'));
  const cases: Array<[string[], RegExp]> = [
    [[], /replay-bad\.toml: handler\[1\]: .*bad\.chain\.json: event 0: parent_hash: missing/],
    [['--instances', '2'], /replay-bad\.toml: handler\[1\]: replays one recorded instance; drop --instances\n$/],
    [['--clock', 'virtual'], /replay-bad\.toml: handler\[1\]: the recording serves every clock reading; drop --clock\n$/],
  ];
  for (const [args, message] of cases) {
    const r = await cli('run', manifest, ...args);
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
});

test.run();
