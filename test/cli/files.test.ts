// Issue 20, files: one rule for every path the CLI writes (events/output-target.ts),
// through the binary, as root. A target is a regular file or a new one (never a
// device, FIFO, socket or folder, links followed), and never one of the
// command's inputs (by device and inode): run --events, save_chain, every
// per-instance name of --chain-format theater, merge --events, timeline -o.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, lstatSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { actorManifest, actorWasm, bin, manifestFor, tempDir, writeManifest } from './support.ts';
import { twice } from './twice.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));

const fifo = join(dir, 'fifo');
spawnSync('mkfifo', [fifo]);
symlinkSync('/dev/null', join(dir, 'null-link'));
symlinkSync('/dev/full', join(dir, 'full-link'));

/** The run was refused before anything ran: exit 2 and exactly this one line (from the binary and from runCli alike). */
function refused(r: { status: number | null; stderr: string; stdout: string }, line: string): void {
  assert.is(r.status, 2, r.stderr);
  assert.is(r.stderr, `theater-timing: ${line}\n`);
  assert.is(r.stdout, '');
}

/** Nothing but the files we made: no temporary file left in the folder. */
const temps = (): string[] => readdirSync(dir).filter((name) => name.endsWith('.tmp'));

test('run --events: a FIFO, or a link to /dev/null or /dev/full, is refused; each is still what it was', async () => {
  const sleeper = actorManifest('sleeper');
  refused(await twice('run', sleeper, '--events', fifo), `--events: ${fifo} is a FIFO, not a regular file: refusing to replace it`);
  assert.ok(lstatSync(fifo).isFIFO());
  for (const [link, device] of [['null-link', '/dev/null'], ['full-link', '/dev/full']]) {
    const path = join(dir, link);
    refused(await twice('run', sleeper, '--events', path), `--events: ${path} is a character device, not a regular file: refusing to replace it`);
    assert.ok(lstatSync(path).isSymbolicLink(), `${link} is still a link`);
    assert.ok(statSync(device).isCharacterDevice(), `${device} is still a character device`);
  }
  // The same rule for a sharded run's fleet file, a slice's chain and Theater's files.
  refused(await twice('run', sleeper, '--instances', '2', '--shards', '2', '--events', fifo), `--events: ${fifo} is a FIFO, not a regular file: refusing to replace it`);
  refused(await twice('run', sleeper, '--instances', '2', '--shard-index', '1', '--shard-count', '2', '--events', join(dir, 'null-link')),
    `--events: ${join(dir, 'null-link')} is a character device, not a regular file: refusing to replace it`);
  refused(await twice('run', sleeper, '--chain-format', 'theater', '--events', fifo), `--events: ${fifo} is a FIFO, not a regular file: refusing to replace it`);
  assert.ok(lstatSync(fifo).isFIFO());
  assert.equal(temps(), []);
});

test('run --events: a socket, a link loop and a folder are refused', async () => {
  const socket = join(dir, 'sock');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  try {
    refused(await twice('run', actorManifest('sleeper'), '--events', socket), `--events: ${socket} is a socket, not a regular file: refusing to replace it`);
  } finally {
    server.close();
  }
  const loop = join(dir, 'loop');
  symlinkSync(loop, loop);
  refused(await twice('run', actorManifest('sleeper'), '--events', loop), `--events: ${loop}: cannot check what it is (ELOOP); refusing to write it`);
  refused(await twice('run', actorManifest('sleeper'), '--events', dir), `--events: ${dir} is a folder, not a file`);
});

test('run --events: an input under another name (hard link, symlink) is refused: the manifest, the component, the init state, the replay chain', async () => {
  const wasm = join(dir, 'own.wasm');
  copyFileSync(actorWasm('wasi-clocks-v020'), wasm);
  writeFileSync(join(dir, 'state.bin'), 'state');
  const manifest = writeManifest(dir, 'own.toml', manifestFor('wasi-clocks-v020', 'init_state = "state.bin"').replace(JSON.stringify(actorWasm('wasi-clocks-v020')), '"own.wasm"'));
  linkSync(manifest, join(dir, 'own-hard.toml'));
  symlinkSync(wasm, join(dir, 'own-link.wasm'));
  symlinkSync(join(dir, 'state.bin'), join(dir, 'state-link'));
  refused(await twice('run', manifest, '--events', join(dir, 'own-hard.toml')), `--events: ${join(dir, 'own-hard.toml')} is the manifest: refusing to overwrite it`);
  refused(await twice('run', manifest, '--events', join(dir, 'own-link.wasm')), `--events: ${join(dir, 'own-link.wasm')} is the component: refusing to overwrite it`);
  refused(await twice('run', manifest, '--events', join(dir, 'state-link')), `--events: ${join(dir, 'state-link')} is the init state file: refusing to overwrite it`);
  const recorded = join(dir, 'recorded.jsonl');
  assert.is(bin('run', actorManifest('wasi-clocks-v020'), '--events', recorded).status, 0);
  const before = readFileSync(recorded, 'utf8');
  refused(await twice('run', actorManifest('wasi-clocks-v020'), '--replay', recorded, '--events', recorded), `--events: ${recorded} is the replay chain: refusing to overwrite it`);
  assert.is(readFileSync(recorded, 'utf8'), before);
  assert.is(readFileSync(join(dir, 'state.bin'), 'utf8'), 'state');
});

test('--chain-format theater --instances 2: every per-instance name is checked, not only the pattern', async () => {
  // x.toml names x.0.toml and x.1.toml: the first is the manifest.
  const manifest = writeManifest(dir, 'x.0.toml', manifestFor('sleeper'));
  const manifestText = readFileSync(manifest, 'utf8');
  refused(await twice('run', manifest, '--chain-format', 'theater', '--instances', '2', '--events', join(dir, 'x.toml')),
    `--events: ${join(dir, 'x.0.toml')} (instance 0's chain) is the manifest: refusing to overwrite it`);
  // x.wasm names x.1.wasm: the component.
  copyFileSync(actorWasm('sleeper'), join(dir, 'x.1.wasm'));
  const wasm = readFileSync(join(dir, 'x.1.wasm'));
  const own = writeManifest(dir, 'xw.toml', manifestFor('sleeper').replace(JSON.stringify(actorWasm('sleeper')), '"x.1.wasm"'));
  refused(await twice('run', own, '--chain-format', 'theater', '--instances', '2', '--events', join(dir, 'x.wasm')),
    `--events: ${join(dir, 'x.1.wasm')} (instance 1's chain) is the component: refusing to overwrite it`);
  // save_chain with name "fevil" writes fevil.chain.0.json, fevil.chain.1.json: the first is the init state file here.
  writeFileSync(join(dir, 'fevil.chain.0.json'), 'init state');
  const evil = writeManifest(dir, 'fevil.toml', manifestFor('sleeper', 'save_chain = true\ninit_state = "fevil.chain.0.json"').replace('name = "sleeper"', 'name = "fevil"'));
  refused(await twice('run', evil, '--chain-format', 'theater', '--instances', '2'),
    `save_chain: ${join(dir, 'fevil.chain.0.json')} (instance 0's chain) is the init state file: refusing to overwrite it`);
  // The same through a sharded run, and through a slice (which checks only its own instances' names).
  refused(await twice('run', manifest, '--chain-format', 'theater', '--instances', '2', '--shards', '2', '--events', join(dir, 'x.toml')),
    `--events: ${join(dir, 'x.0.toml')} (instance 0's chain) is the manifest: refusing to overwrite it`);
  refused(await twice('run', own, '--chain-format', 'theater', '--instances', '2', '--shard-index', '1', '--shard-count', '2', '--events', join(dir, 'x.wasm')),
    `--events: ${join(dir, 'x.1.wasm')} (instance 1's chain) is the component: refusing to overwrite it`);
  // A folder that does not exist: nothing in it to check, and the run cannot write there.
  const nowhere = join(dir, 'no', 'such', 'x.json');
  refused(await twice('run', manifest, '--chain-format', 'theater', '--instances', '2', '--events', nowhere), `--events: cannot write ${nowhere} (ENOENT)`);
  const slice0 = bin('run', own, '--chain-format', 'theater', '--instances', '2', '--shard-index', '0', '--shard-count', '2', '--events', join(dir, 'x.wasm'));
  assert.is(slice0.status, 0, slice0.stderr);
  assert.ok(existsSync(join(dir, 'x.0.wasm')), 'slice 0 writes its own instance');
  assert.is(readFileSync(manifest, 'utf8'), manifestText);
  assert.equal(readFileSync(join(dir, 'x.1.wasm')), wasm);
  assert.is(readFileSync(join(dir, 'fevil.chain.0.json'), 'utf8'), 'init state');
  assert.equal(temps(), []);
});

test('timeline -o: not a device or FIFO, not one of the chains read; the page is written whole', async () => {
  const chain = join(dir, 'tl.jsonl');
  assert.is(bin('run', actorManifest('wasi-clocks-v020'), '--events', chain).status, 0);
  const before = readFileSync(chain, 'utf8');
  refused(await twice('timeline', chain, '-o', chain), `-o: ${chain} is an input chain: refusing to overwrite it`);
  refused(await twice('timeline', chain, '-o', fifo), `-o: ${fifo} is a FIFO, not a regular file: refusing to replace it`);
  refused(await twice('timeline', chain, '-o', join(dir, 'null-link')), `-o: ${join(dir, 'null-link')} is a character device, not a regular file: refusing to replace it`);
  assert.is(readFileSync(chain, 'utf8'), before);
  assert.ok(statSync('/dev/null').isCharacterDevice());
  const ok = await twice('timeline', chain, '-o', join(dir, 'tl.html'));
  assert.is(ok.status, 0, ok.stderr);
  assert.match(readFileSync(join(dir, 'tl.html'), 'utf8'), /^<!doctype html>/i);
  assert.equal(temps(), []);
});

test.run();
