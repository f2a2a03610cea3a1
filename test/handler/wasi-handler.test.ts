// The wasi handler (`type = "wasi"`): the rest of WASI, denied by default, with
// captured, bounded stdout/stderr and streams whose pollables the timing
// handler's poll accepts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../src/handler/config.ts';
import { HandlerRegistry } from '../../src/handler/registry.ts';
import { TimingHandler } from '../../src/handler/timing-handler.ts';
import { DEFAULT_MAX_OUTPUT_BYTES, grantedEnvironment, MAX_OUTPUT_BYTES_LIMIT, parseWasiHandlerConfig } from '../../src/handler/wasi-config.ts';
import { MAX_RANDOM_BYTES, WASI_CLI_INTERFACES, WasiHandler } from '../../src/handler/wasi-handler.ts';
import { DISCARD_OUTPUT, OutputCapture, type ActorOutputSink } from '../../src/handler/wasi-output.ts';
import { InputStream, IoError, OutputStream, WRITE_BUDGET } from '../../src/handler/wasi-streams.ts';
import { Pollable, poll } from '../../src/wasi/poll.ts';
import { fakeRuntime } from '../support/fake-time.ts';

type Fn = (...args: never[]) => unknown;
type Iface = Record<string, Fn & (new (...args: never[]) => object)>;

function recorder() {
  const lines: string[] = [];
  const drops: string[] = [];
  const sink: ActorOutputSink = {
    line: (actor, stream, text) => lines.push(`${actor} ${stream} ${text}`),
    dropped: (actor, bytes, cap) => drops.push(`${actor} ${bytes}/${cap}`),
  };
  return { lines, drops, sink };
}

const bytes = (text: string) => new TextEncoder().encode(text);

function setup(config: Parameters<typeof parseWasiHandlerConfig>[0] = {}, hostEnv: Record<string, string> = {}) {
  const { runtime } = fakeRuntime({ capacity: 16 });
  const timing = new TimingHandler({}, null, { mode: 'sync', runtime });
  const out = recorder();
  const wasi = new WasiHandler(parseWasiHandlerConfig(config), { output: out.sink, timing, hostEnv });
  const registry = new HandlerRegistry();
  registry.register(timing);
  registry.register(wasi);
  const built = registry.buildImports(['wasi:io/poll@0.2.3', 'wasi:clocks/monotonic-clock@0.2.3', ...WASI_CLI_INTERFACES.map((n) => n.replace('0.2.3', '0.2.12'))], { actorId: 'js#3', events: null });
  const iface = (key: string) => built.imports[key] as Iface;
  return { built, iface, out, wasi, timing };
}

test('config: defaults, env as names or table, the output cap, and what cannot be granted', () => {
  assert.equal(parseWasiHandlerConfig(undefined), { env: null, max_output_bytes: DEFAULT_MAX_OUTPUT_BYTES });
  assert.equal(parseWasiHandlerConfig({ env: ['A', 'B', 'A'] }).env, ['A', 'B']);
  assert.equal(parseWasiHandlerConfig({ env: { A: '1' }, max_output_bytes: 0 }), { env: { A: '1' }, max_output_bytes: 0 });
  const bad: Array<[unknown, RegExp]> = [
    [7, /^handler\.wasi: expected a table, got 7/],
    [{ env: 'A' }, /^handler\.wasi\.env: expected an array of variable names or a table of values/],
    [{ env: ['A=1'] }, /^handler\.wasi\.env\[0\]: expected a variable name/],
    [{ env: [3] }, /^handler\.wasi\.env\[0\]/],
    [{ env: { 'A=B': 'x' } }, /^handler\.wasi\.env: expected variable names without "="/],
    [{ env: { A: 1 } }, /^handler\.wasi\.env\.A: expected a string without NUL, got 1 \(number\)/],
    [{ max_output_bytes: -1 }, /max_output_bytes: expected an integer from 0 to 16777216/],
    [{ max_output_bytes: MAX_OUTPUT_BYTES_LIMIT + 1 }, /max_output_bytes/],
    [{ filesystem: true }, /^handler\.wasi\.filesystem: wasi:filesystem cannot be granted by this host/],
    [{ sockets: ['0.0.0.0'] }, /^handler\.wasi\.sockets: wasi:sockets cannot be granted/],
    [{ stdout: true }, /^handler\.wasi\.stdout: unknown key \(known: env, max_output_bytes\)/],
  ];
  for (const [input, message] of bad) assert.throws(() => parseWasiHandlerConfig(input), (e: unknown) => e instanceof ConfigError && message.test((e as Error).message), JSON.stringify(input));
  assert.is(grantedEnvironment(null, { A: '1' }), null);
  assert.equal(grantedEnvironment(['A', 'MISSING'], { A: '1', SECRET: 's' }), [['A', '1']]);
  assert.equal(grantedEnvironment({ X: 'y' }, { X: 'host' }), [['X', 'y']]);
});

test('every interface the handler names is instantiated; versions 0.2.x resolve to it', () => {
  const { built, wasi } = setup();
  assert.is(wasi.name, 'wasi');
  assert.equal(built.handlers, ['timing', 'wasi']);
  for (const name of WASI_CLI_INTERFACES) assert.ok(built.imports[name.replace('@0.2.3', '')], name);
  assert.equal(new WasiHandler().config, { env: null, max_output_bytes: DEFAULT_MAX_OUTPUT_BYTES });
});

test('environment: denied by default with a trap naming the grant; granted names only; no arguments, no cwd', () => {
  const denied = setup().iface('wasi:cli/environment');
  assert.throws(() => denied.getEnvironment(), /^wasi trap: wasi:cli\/environment not granted \(grant it with env = \["NAME", …\]/);
  assert.equal(denied.getArguments(), []);
  assert.is(denied.initialCwd(), undefined);
  const granted = setup({ env: ['LANG', 'ABSENT'] }, { LANG: 'C.UTF-8', HOME: '/root' }).iface('wasi:cli/environment');
  assert.equal(granted.getEnvironment(), [['LANG', 'C.UTF-8']]);
});

test('filesystem: one preopen "/", every operation on it traps naming the capability, the operation and its path; sockets: every way in traps', () => {
  const { iface } = setup();
  const dirs = iface('wasi:filesystem/preopens').getDirectories() as unknown as Array<[Record<string, (...a: unknown[]) => unknown>, string]>;
  assert.is(dirs.length, 1);
  const [root, name] = dirs[0];
  assert.is(name, '/');
  assert.ok(root instanceof iface('wasi:filesystem/types').Descriptor);
  // StarlingMonkey asks the preopen's type at start-up: answered, it grants nothing.
  assert.is(root.getType(), 'directory');
  const denied = (op: string, what: string) => new RegExp(`^wasi trap: wasi:filesystem not granted: ${op} ${what} under "/" \\(this host grants no filesystem\\)$`);
  assert.throws(() => root.openAt({}, 'secret.txt', {}, { read: true }), denied('open-at', '"secret.txt"'));
  assert.throws(() => root.statAt({}, 'a/b'), denied('stat-at', '"a/b"'));
  assert.throws(() => root.readlinkAt('l'), denied('readlink-at', '"l"'));
  assert.throws(() => root.createDirectoryAt('d'), denied('create-directory-at', '"d"'));
  assert.throws(() => root.removeDirectoryAt('d'), denied('remove-directory-at', '"d"'));
  assert.throws(() => root.unlinkFileAt('f'), denied('unlink-file-at', '"f"'));
  assert.throws(() => root.renameAt('f', root, 'g'), denied('rename-at', '"f"'));
  assert.throws(() => root.symlinkAt('f', 'g'), denied('symlink-at', '"g"'));
  assert.throws(() => root.linkAt({}, 'f', root, 'g'), denied('link-at', '"f"'));
  assert.throws(() => root.setTimesAt({}, 'f'), denied('set-times-at', '"f"'));
  assert.throws(() => root.metadataHashAt({}, 'f'), denied('metadata-hash-at', '"f"'));
  for (const [method, op] of [['readViaStream', 'read-via-stream'], ['writeViaStream', 'write-via-stream'], ['appendViaStream', 'append-via-stream'], ['advise', 'advise'],
    ['syncData', 'sync-data'], ['getFlags', 'get-flags'], ['setSize', 'set-size'], ['setTimes', 'set-times'], ['read', 'read'], ['write', 'write'],
    ['readDirectory', 'read-directory'], ['sync', 'sync'], ['stat', 'stat'], ['isSameObject', 'is-same-object'], ['metadataHash', 'metadata-hash']]) {
    assert.throws(() => root[method](), denied(op, '"/"'), method);
  }
  // Guest paths are escaped and cut: no forged line, no unbounded message.
  assert.throws(() => root.openAt({}, `x\n${'y'.repeat(300)}`, {}, {}), (e: unknown) => /open-at "x\\ny{198}…" under/.test((e as Error).message));
  (root as unknown as Disposable)[Symbol.dispose]();
  assert.throws(() => new (iface('wasi:filesystem/types').Descriptor)(), /^wasi trap: wasi:filesystem not granted: descriptor under "\/" \(this host grants no filesystem\)$/);
  assert.throws(() => new (iface('wasi:filesystem/types').DirectoryEntryStream)(), /wasi:filesystem not granted: directory-entry-stream/);
  assert.is(iface('wasi:filesystem/types').filesystemErrorCode(), undefined);
  assert.throws(() => iface('wasi:sockets/instance-network').instanceNetwork(), /^wasi trap: wasi:sockets\/instance-network not granted \(this host grants no network\)/);
  assert.throws(() => iface('wasi:sockets/tcp-create-socket').createTcpSocket(), /wasi:sockets\/tcp-create-socket not granted/);
  assert.throws(() => iface('wasi:sockets/udp-create-socket').createUdpSocket(), /wasi:sockets\/udp-create-socket not granted/);
  assert.throws(() => iface('wasi:sockets/ip-name-lookup').resolveAddresses(), /wasi:sockets\/ip-name-lookup not granted/);
  assert.throws(() => new (iface('wasi:sockets/tcp').TcpSocket)(), /wasi:sockets not granted \(this host grants no network: tcp-socket\)/);
});

test('exit ends the actor with a trap saying so', () => {
  const exit = setup().iface('wasi:cli/exit');
  assert.throws(() => (exit.exit as unknown as (s: { tag: string }) => never)({ tag: 'ok' }), /^wasi trap: wasi:cli\/exit: the actor exited \(status ok\)/);
  assert.throws(() => (exit.exit as unknown as (s: { tag: string }) => never)({ tag: 'err' }), /status err/);
  assert.throws(() => (exit.exitWithCode as unknown as (c: number) => never)(7), /code 7/);
});

test('random: the asked number of bytes, u64s, a seed, and a bound on one call', () => {
  const { iface } = setup();
  const random = iface('wasi:random/random');
  assert.is((random.getRandomBytes as unknown as (n: bigint) => Uint8Array)(16n).length, 16);
  assert.is(typeof random.getRandomU64(), 'bigint');
  assert.is((iface('wasi:random/insecure').getInsecureRandomBytes as unknown as (n: bigint) => Uint8Array)(3n).length, 3);
  assert.is(typeof iface('wasi:random/insecure').getInsecureRandomU64(), 'bigint');
  const seed = iface('wasi:random/insecure-seed').insecureSeed() as bigint[];
  assert.is(seed.length, 2);
  assert.throws(() => (random.getRandomBytes as unknown as (n: bigint) => Uint8Array)(BigInt(MAX_RANDOM_BYTES) + 1n), /^wasi trap: wasi:random: 1048577 bytes asked at once/);
});

test('stdout and stderr: lines captured per stream as they complete, the rest at the end', () => {
  const { iface, out, built } = setup();
  const stdout = iface('wasi:cli/stdout').getStdout() as OutputStream;
  const stderr = iface('wasi:cli/stderr').getStderr() as OutputStream;
  assert.is(stdout.checkWrite(), WRITE_BUDGET);
  stdout.write(bytes('hello '));
  stdout.blockingWriteAndFlush(bytes('world\r\nsecond'));
  stderr.blockingWriteAndFlush(bytes('oops\n'));
  stdout.flush();
  stdout.blockingFlush();
  stdout.writeZeroes(2n);
  stdout.blockingWriteZeroesAndFlush(1n);
  assert.equal(out.lines, ['js#3 stdout hello world', 'js#3 stderr oops']);
  // A multi-byte character split across writes is decoded whole.
  const euro = bytes('€\n');
  stderr.write(euro.subarray(0, 1));
  stderr.write(euro.subarray(1));
  built.dispose();
  assert.equal(out.lines.slice(2), ['js#3 stderr €', 'js#3 stdout second\u0000\u0000\u0000']);
  assert.equal(out.drops, []);
  built.dispose();
  assert.is(out.lines.length, 4);
});

test('output past the cap is counted, never kept, and reported once at the end', () => {
  const { iface, out, built } = setup({ max_output_bytes: 10 });
  const stdout = iface('wasi:cli/stdout').getStdout() as OutputStream;
  stdout.write(bytes('0123456\n89abcdef\n'));
  stdout.writeZeroes(1n << 40n);
  stdout.writeZeroes(1n << 64n); // past Number.MAX_SAFE_INTEGER: counted as that many
  (iface('wasi:cli/stderr').getStderr() as OutputStream).write(bytes('more'));
  assert.equal(out.lines, ['js#3 stdout 0123456']);
  built.dispose();
  assert.equal(out.lines, ['js#3 stdout 0123456', 'js#3 stdout 89']);
  assert.equal(out.drops, [`js#3 ${BigInt(7 + 2 ** 40 + 4) + BigInt(Number.MAX_SAFE_INTEGER)}/10`]);
  stdout.write(bytes('after the end\n'));
  assert.is(out.lines.length, 2);
});

test('OutputCapture: a zero cap keeps nothing; the discard sink takes anything', () => {
  const out = recorder();
  const capture = new OutputCapture('a', 0, out.sink);
  capture.write('stdout', bytes('x\n'));
  assert.is(capture.droppedBytes, 2);
  capture.end();
  assert.equal(out.lines, []);
  assert.equal(out.drops, ['a 2/0']);
  DISCARD_OUTPUT.line('a', 'stdout', 'x');
  DISCARD_OUTPUT.dropped('a', 1, 0);
});

test('stdin is empty: reads and skips report closed; splicing from it too', () => {
  const { iface } = setup();
  const stdin = iface('wasi:cli/stdin').getStdin() as InputStream;
  for (const call of [() => stdin.read(10n), () => stdin.blockingRead(10n), () => stdin.skip(1n), () => stdin.blockingSkip(1n)]) {
    assert.throws(call, (e: unknown) => (e as { tag: string }).tag === 'closed');
  }
  const stdout = iface('wasi:cli/stdout').getStdout() as OutputStream;
  assert.throws(() => stdout.splice(stdin, 5n), (e: unknown) => (e as { tag: string }).tag === 'closed');
  assert.throws(() => stdout.blockingSplice(stdin, 5n), (e: unknown) => (e as { tag: string }).tag === 'closed');
});

test('subscribe gives the actor\'s own pollables, always ready, which poll accepts', () => {
  const { iface, timing } = setup();
  const stdout = (iface('wasi:cli/stdout').getStdout() as OutputStream).subscribe();
  const stdin = (iface('wasi:cli/stdin').getStdin() as InputStream).subscribe();
  assert.instance(stdout, Pollable);
  assert.ok(stdout.ready());
  const host = timing.hostFor('js#3');
  assert.ok(host !== undefined);
  assert.equal([...(poll(host, [stdout, stdin]) as Uint32Array)], [0, 1]);
  assert.is(stdout.block(), undefined);
  stdout[Symbol.dispose]();
});

test('subscribe without a timing host traps naming the missing handler', () => {
  const wasi = new WasiHandler({}, { timing: null });
  const imports = wasi.instantiate({ actorId: 'x', events: null }).imports as Record<string, Iface>;
  assert.throws(() => (imports['wasi:cli/stdout'].getStdout() as OutputStream).subscribe(), /^wasi trap: wasi:io\/streams: subscribe needs the timing handler/);
  assert.throws(() => (imports['wasi:cli/stdin'].getStdin() as InputStream).subscribe(), /subscribe needs the timing handler/);
});

test('a bare resource object (a handle the guest does not hold) traps; terminals are absent; io error text', () => {
  const { iface } = setup();
  const bareOut = Object.create(OutputStream.prototype) as OutputStream;
  for (const call of [() => bareOut.checkWrite(), () => bareOut.write(bytes('x')), () => bareOut.flush(), () => bareOut.subscribe(), () => bareOut.writeZeroes(1n)]) {
    assert.throws(call, /^wasi trap: output-stream used after drop/);
  }
  const bareIn = Object.create(InputStream.prototype) as InputStream;
  assert.throws(() => bareIn.read(1n), /^wasi trap: input-stream used after drop/);
  assert.throws(() => bareIn.subscribe(), /input-stream used after drop/);
  assert.is(iface('wasi:cli/terminal-stdin').getTerminalStdin(), undefined);
  assert.is(iface('wasi:cli/terminal-stdout').getTerminalStdout(), undefined);
  assert.is(iface('wasi:cli/terminal-stderr').getTerminalStderr(), undefined);
  assert.ok(new (iface('wasi:cli/terminal-input').TerminalInput)());
  assert.ok(new (iface('wasi:cli/terminal-output').TerminalOutput)());
  assert.is(new IoError('broken').toDebugString(), 'broken');
  assert.is((Object.create(IoError.prototype) as IoError).toDebugString(), 'error');
  const stdout = iface('wasi:cli/stdout').getStdout() as OutputStream;
  stdout[Symbol.dispose]();
  (iface('wasi:cli/stdin').getStdin() as InputStream)[Symbol.dispose]();
  assert.is(stdout.checkWrite(), WRITE_BUDGET);
});


test('manifest: [[handler]] type = "wasi" is parsed and its errors name the field', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { loadManifest, ManifestError } = await import('../../src/manifest/manifest.ts');
  const dir = mkdtempSync(join(tmpdir(), 'wasi-manifest-'));
  writeFileSync(join(dir, 'a.wasm'), 'x');
  const write = (body: string) => {
    const path = join(dir, 'm.toml');
    writeFileSync(path, `name = "a"\nversion = "1"\ncomponent = "a.wasm"\n[[handler]]\ntype = "timing"\n[[handler]]\ntype = "wasi"\n${body}`);
    return path;
  };
  assert.equal(loadManifest(write('env = ["LANG"]\nmax_output_bytes = 10\n')).handlers[1], { type: 'wasi', config: { env: ['LANG'], max_output_bytes: 10 } });
  const top = (line: string) => {
    const path = join(dir, 't.toml');
    writeFileSync(path, `name = "a"\nversion = "1"\ncomponent = "a.wasm"\n${line}\n`);
    return path;
  };
  assert.is(loadManifest(top('fairness_pass = false')).fairness_pass, false);
  assert.is(loadManifest(top('fairness_pass = true')).fairness_pass, undefined);
  assert.throws(() => loadManifest(top('fairness_pass = "no"')), /fairness_pass: expected a boolean, got "no" \(string\)/);
  assert.throws(() => loadManifest(write('filesystem = "/"\n')), (e: unknown) => e instanceof ManifestError && /m\.toml: handler\[1\]\.filesystem: wasi:filesystem cannot be granted/.test((e as Error).message));
});

test.run();
