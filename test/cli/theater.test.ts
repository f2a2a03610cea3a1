// Theater's files through the binary, as a user moves them across: manifests
// in Theater's style, and chains written with --chain-format theater and
// read back by verify.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actorManifest, actorWasm, bin, tempDir, writeManifest } from './support.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));

interface TheaterEvent { hash: number[]; parent_hash: number[] | null; event_type: string; data: number[] }
const readChain = (file: string): TheaterEvent[] => JSON.parse(readFileSync(file, 'utf8')) as TheaterEvent[];
const payloadOf = (event: TheaterEvent): Record<string, unknown> => JSON.parse(Buffer.from(event.data).toString('utf8')) as Record<string, unknown>;
/** The state from `run --json`: the CLI prints it as text when it happens to be valid UTF-8, else as hex. */
const jsonState = (stdout: string): Buffer => {
  const { state, stateEncoding } = JSON.parse(stdout) as { state: string; stateEncoding: 'utf8' | 'hex' };
  return Buffer.from(state, stateEncoding);
};
const u64le = (ns: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(ns);
  return b;
};

test('the seed-test port recorded in Theater\'s format verifies, with a summary by event_type', () => {
  const file = join(dir, 'seed.chain.json');
  const run = bin('run', actorManifest('wasi-clocks-test'), '--events', file, '--chain-format', 'theater');
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stderr, /wrote \d+ events \(1 Theater chain\) to .*seed\.chain\.json\n$/);
  const ok = bin('verify', file);
  assert.is(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^theater chain ok: \d+ events, head [0-9a-f]{12}\n/);
  // The counts that do not depend on timing (the actor's ready() and now() checks run only when a wait overran).
  for (const line of ['wasm +2', 'wasi:clocks/monotonic-clock@0\\.2\\.3/subscribe-duration +6', 'wasi:io/poll@0\\.2\\.3/poll +5', 'wasi:io/poll@0\\.2\\.3/\\[method\\]pollable\\.block +3', 'shutdown +1']) {
    assert.match(ok.stdout, new RegExp(`\\n {2}${line}\\n`));
  }
  const events = readChain(file);
  assert.is(events[0].parent_hash, null);
  assert.equal(payloadOf(events[0]), { category: 'Wasm', WasmCall: { function_name: 'theater:simple/actor.init', params: [110, 117, 108, 108] } });
  const result = payloadOf(events.at(-2) as TheaterEvent).WasmResult as { result: [number[], number[]] };
  assert.is(Buffer.from(result.result[0]).toString(), 'wasi-clocks-test: all checks passed');
  assert.equal(payloadOf(events.at(-1) as TheaterEvent), { category: 'Wasm', WasmCall: { function_name: 'shutdown', params: [] } });
  // Handles are numbered 0, 1, 2… in creation order, whatever slots the host reused.
  const created = events.filter((e) => /subscribe-(instant|duration)$/.test(e.event_type)).map((e) => {
    const output = payloadOf(e).output as { U32?: number; Tuple?: Array<{ U32: number }> };
    return output.U32 ?? output.Tuple?.[0].U32;
  });
  assert.equal(created, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
});

test('one event\'s SHA-1, computed here from the definition, matches the file', () => {
  const events = readChain(join(dir, 'seed.chain.json'));
  const event = events.find((e) => e.event_type.endsWith('/subscribe-duration')) as TheaterEvent;
  const parent = event.parent_hash === null ? 'null' : `[${event.parent_hash.join(',')}]`;
  const text = `{"hash":[],"parent_hash":${parent},"event_type":"${event.event_type}","data":[${event.data.join(',')}]}`;
  assert.equal(event.hash, [...createHash('sha1').update(text).digest()]);
  const payload = Buffer.from(event.data).toString('utf8');
  assert.match(payload, /^\{"category":"HostFunction","interface":"wasi:clocks\/monotonic-clock@0\.2\.3","function":"subscribe-duration","input":\{"U64":50000000\},"output":\{"Tuple":\[\{"U32":1\},\{"U64":\d+\}\]\}\}$/);
});

test('one byte tampered: verify exits 1 naming that event\'s index', () => {
  const lines = readFileSync(join(dir, 'seed.chain.json'), 'utf8').split('\n');
  const index = 7; // line 0 is "["
  const at = lines[index + 1].indexOf('"data":[') + '"data":['.length;
  const digit = lines[index + 1][at];
  lines[index + 1] = lines[index + 1].slice(0, at) + (digit === '9' ? '8' : String(Number(digit) + 1)) + lines[index + 1].slice(at + 1);
  const tampered = join(dir, 'tampered.chain.json');
  writeFileSync(tampered, lines.join('\n'));
  const bad = bin('verify', tampered);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /^theater chain INVALID: event 7: hash mismatch: event says [0-9a-f]{12}, recomputed [0-9a-f]{12}\n/);
});

test('several instances: one file per instance, named <stem>.<i><ext>, each its own chain', () => {
  const file = join(dir, 'fleet.json');
  const run = bin('run', actorManifest('wasi-clocks-v020'), '--instances', '2', '--events', file, '--chain-format', 'theater');
  assert.is(run.status, 0, run.stderr);
  assert.not.ok(existsSync(file));
  for (const i of [0, 1]) {
    const path = join(dir, `fleet.${i}.json`);
    assert.is(bin('verify', path).status, 0);
    const first = readChain(path).find((e) => e.event_type === 'wasi:clocks/monotonic-clock@0.2.0/subscribe-duration') as TheaterEvent;
    assert.equal((payloadOf(first).output as { Tuple: Array<{ U32: number }> }).Tuple[0], { U32: 0 });
  }
});

test('an init err is a WasmError; save_chain with the Theater format writes <name>.chain.json', () => {
  const body = `name = "saved"\nversion = "1"\npackage = ${JSON.stringify(actorWasm('sleeper'))}\nsave_chain = true\n[[handler]]\ntype = "timing"\n`;
  const manifest = writeManifest(dir, 'saved.toml', body);
  const run = bin('run', manifest, '--chain-format', 'theater', '--state', 'x');
  assert.is(run.status, 1);
  const events = readChain(join(dir, 'saved.chain.json'));
  assert.equal(events.map((e) => e.event_type), ['wasm', 'wasm', 'shutdown']);
  assert.equal(payloadOf(events[1]), { category: 'Wasm', WasmError: { function_name: 'theater:simple/actor.init', message: 'sleeper: state must be 8 bytes, a u64 LE duration in ns' } });
  assert.equal(payloadOf(events[0]).WasmCall, { function_name: 'theater:simple/actor.init', params: [...Buffer.from('[120]')] });
});

test('a Theater-style manifest (package, a runtime handler, init_state) runs; --state-hex overrides init_state', () => {
  writeFileSync(join(dir, 'five-ms.bin'), u64le(5_000_000n));
  const body = 'name = "theater-style"\nversion = "0.1.0"\n'
    + `package = ${JSON.stringify(actorWasm('sleeper'))}\ninit_state = "five-ms.bin"\n`
    + '[[handler]]\ntype = "runtime"\n[[handler]]\ntype = "timing"\nmax_pollables = 4\n';
  const manifest = writeManifest(dir, 'theater-style.toml', body);
  const run = bin('run', manifest, '--json');
  assert.is(run.status, 0, run.stderr);
  assert.is(run.stderr, `theater-timing: warning: ${manifest}: handler: runtime: Theater handler type not served by this host, ignored (an actor that imports their interfaces will not start)\n`);
  assert.is(jsonState(run.stdout).readBigUInt64LE(16), 5_000_000n); // the duration init received, from init_state
  const override = bin('run', manifest, '--state-hex', u64le(2_000_000n).toString('hex'), '--json');
  assert.is(override.status, 0, override.stderr);
  assert.is(jsonState(override.stdout).readBigUInt64LE(16), 2_000_000n);
});

test('an init state too large for chain.json (over 256 KiB: up to 36 file bytes per state byte) is refused before the run, one line, exit 2', () => {
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(256 * 1024 + 1));
  const manifest = writeManifest(dir, 'big-state.toml', `name = "big"\nversion = "0.1.0"\ncomponent = ${JSON.stringify(actorWasm('sleeper'))}\ninit_state = "big.bin"\n[[handler]]\ntype = "timing"\n`);
  const line = 'theater-timing: --chain-format theater: the state (262145 bytes) is too large for Theater\'s chain.json (at most 262144 bytes: each byte takes up to 36 in the file)\n';
  const r = bin('run', manifest, '--chain-format', 'theater', '--events', join(dir, 'big.chain.json'));
  assert.is(r.status, 2);
  assert.is(r.stderr, line);
  const sliced = bin('run', manifest, '--chain-format', 'theater', '--events', join(dir, 'big.chain.json'), '--instances', '2', '--shard-index', '0', '--shard-count', '2');
  assert.is(sliced.status, 2);
  assert.match(sliced.stderr, /--chain-format theater: the state \(262145 bytes\) is too large/);
  assert.not.ok(existsSync(join(dir, 'big.chain.json')));
});

test('a manifest\'s replay handler serves the actor from the recorded chain.json; one instance only', () => {
  const replaying = (wasm: string): string =>
    `name = "t"\nversion = "1"\npackage = ${JSON.stringify(actorWasm(wasm))}\n[[handler]]\ntype = "timing"\n[[handler]]\ntype = "replay"\nchain = "seed.chain.json"\n`;
  const ok = bin('run', writeManifest(dir, 'replay-ok.toml', replaying('wasi-clocks-test')));
  assert.is(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^wasi-clocks-test: all checks passed\nreplay ok: \d+ events matched\n$/);
  const other = bin('run', writeManifest(dir, 'replay-other.toml', replaying('sleeper')));
  assert.is(other.status, 4);
  assert.match(other.stderr, /^theater-timing: replay diverged at event \d+: recorded wasi:clocks\/monotonic-clock@0\.2\.3\/\S+, actor called subscribe-duration\(100000000\)\n$/);
  const fleet = bin('run', writeManifest(dir, 'replay-fleet.toml', replaying('wasi-clocks-test')), '--instances', '2');
  assert.is(fleet.status, 2);
  assert.match(fleet.stderr, /replay-fleet\.toml: handler\[1\]: replays one recorded instance; drop --instances\n$/);
});

test('Theater-style manifest errors exit 2 naming the field or path', () => {
  const head = `name = "t"\nversion = "1"\npackage = ${JSON.stringify(actorWasm('sleeper'))}\n`;
  const missing = join(dir, 'no-such-state.bin');
  const cases: Array<[string, RegExp]> = [
    [`${head}init_state = ${JSON.stringify(missing)}\n`, new RegExp(`init_state: cannot read "${missing}" \\(ENOENT\\)\\n$`)],
    [`${head}component = "x.wasm"\n`, /: package, component: both given; /],
    [`${head}[[handler]]\ntype = "replay"\nchain = "absent.json"\n`, /: handler\[0\]\.chain: cannot read ".*absent\.json" \(ENOENT\)\n$/],
    [`${head}[[handler]]\ntype = "timing"\nmax_pollables = -1\n`, /: handler\[0\]\.max_pollables: expected a non-negative safe integer \(live pollables\), got -1 \(number\)\n$/],
  ];
  for (const [body, message] of cases) {
    const r = bin('run', writeManifest(dir, 'bad-theater.toml', body));
    assert.is(r.status, 2, body);
    assert.match(r.stderr, message);
    assert.not.match(r.stderr, /\n\s+at /);
  }
  // Theater's handler types serve nothing here: a component that needs their interfaces is refused, naming them.
  const unserved = bin('run', writeManifest(dir, 'runtime-only.toml', `${head}[[handler]]\ntype = "runtime"\n`));
  assert.is(unserved.status, 2);
  assert.match(unserved.stderr, /component: no registered handler provides wasi:clocks\/monotonic-clock, wasi:io\/poll/);
});

test('--chain-format theater with nothing to write is a bad invocation', () => {
  const r = bin('run', actorManifest('sleeper'), '--chain-format', 'theater');
  assert.is(r.status, 2);
  assert.is(r.stderr, 'theater-timing: --chain-format theater: no chain to write: give --events <file>, or set save_chain = true in the manifest\n');
  const unwritable = join(dir, 'no-such-dir', 'chain.json');
  const w = bin('run', actorManifest('wasi-clocks-v020'), '--events', unwritable, '--chain-format', 'theater');
  assert.is(w.status, 2);
  assert.is(w.stderr, `theater-timing: --events: cannot write ${unwritable} (ENOENT)\n`);
});

test('max_pollables in the manifest bounds the actor: 0 traps its first subscribe', () => {
  const body = `name = "q"\nversion = "1"\npackage = ${JSON.stringify(actorWasm('sleeper'))}\n[[handler]]\ntype = "timing"\nmax_pollables = 0\n`;
  const r = bin('run', writeManifest(dir, 'quota.toml', body));
  assert.is(r.status, 3);
  assert.match(r.stderr, /trapped: wasi trap: pollable quota exceeded: actor "q#0" already holds 0 live pollables/);
});

test.run();
