// ChainFile and ChainRecorder: durable, streamed chain writes. The full disk is
// an injected writer (a ChainFs over node:fs whose writeSync fails with ENOSPC
// past a byte budget), not a real tmpfs: mounting one needs privileges a test
// cannot count on.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainFile, ChainWriteError, type ChainFs } from '../../src/events/chain-file.ts';
import { ChainRecorder } from '../../src/events/chain-recorder.ts';
import { buildChain, chainEnd, fleetHeader, formatChainJsonl } from '../../src/events/chain.ts';
import { verifyChain } from '../../src/events/verify.ts';
import { ALL_EVENTS } from './fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'chain-file-'));
const temps = (): string[] => readdirSync(dir).filter((n) => n.endsWith('.tmp'));

/** node:fs, except that the disk holds only `capacity` bytes, and any call can be made to fail. */
function smallDisk(capacity: number, fail: Partial<Record<keyof ChainFs, string>> = {}): ChainFs & { written: number } {
  const errno = (code: string): Error => Object.assign(new Error(code), { code });
  const disk = {
    written: 0,
    openSync: (path: string, flags: string) => { if (fail.openSync) throw errno(fail.openSync); return fs.openSync(path, flags); },
    writeSync: (fd: number, buffer: Uint8Array, offset: number, length: number) => {
      if (fail.writeSync) throw errno(fail.writeSync);
      const room = capacity - disk.written;
      if (room <= 0) throw errno('ENOSPC');
      const n = fs.writeSync(fd, buffer, offset, Math.min(length, room));
      disk.written += n;
      return n;
    },
    fsyncSync: (fd: number) => { if (fail.fsyncSync) throw errno(fail.fsyncSync); fs.fsyncSync(fd); },
    closeSync: (fd: number) => { fs.closeSync(fd); if (fail.closeSync) throw errno(fail.closeSync); },
    renameSync: (a: string, b: string) => { if (fail.renameSync) throw errno(fail.renameSync); fs.renameSync(a, b); },
    unlinkSync: (path: string) => fs.unlinkSync(path),
  };
  return disk;
}

const file = suite('ChainFile');

file('writes through a temporary file and renames it over the target on commit', () => {
  const target = join(dir, 'a.jsonl');
  writeFileSync(target, 'old\n');
  const chain = new ChainFile(target);
  assert.is(temps().length, 1);
  chain.write('one\n');
  chain.write('x'.repeat(300_000)); // larger than the buffer: written straight through
  chain.write('\n');
  assert.is(readFileSync(target, 'utf8'), 'old\n', 'the target is untouched until commit');
  chain.commit();
  assert.is(readFileSync(target, 'utf8'), `one\n${'x'.repeat(300_000)}\n`);
  assert.is(chain.bytes, 300_005);
  assert.equal(temps(), []);
  chain.abort(); // idempotent, and the committed file stays
  assert.ok(fs.existsSync(target));
});

file('a full disk: the error names the path, the existing file is not replaced or truncated, no temporary file is left', () => {
  const target = join(dir, 'full.jsonl');
  writeFileSync(target, 'a good chain\n');
  const disk = smallDisk(100_000);
  const chain = new ChainFile(target, disk);
  for (let i = 0; i < 10_000; i++) chain.write(`${'y'.repeat(99)}\n`); // 1 MB into a 100 kB disk
  assert.instance(chain.error, ChainWriteError);
  assert.throws(() => chain.commit(), (e: Error) => e instanceof ChainWriteError && e.message === `cannot write ${target} (ENOSPC: no space left on device)`);
  assert.is(readFileSync(target, 'utf8'), 'a good chain\n');
  assert.equal(temps(), []);
});

file('every other failure: open (folder not writable), fsync, close, rename', () => {
  const target = join(dir, 'fail.jsonl');
  writeFileSync(target, 'kept\n');
  assert.throws(() => new ChainFile(target, smallDisk(10, { openSync: 'EACCES' })), (e: Error) => e instanceof ChainWriteError && (e as ChainWriteError).code === 'EACCES' && e.message === `cannot write ${target} (EACCES)`);
  for (const call of ['fsyncSync', 'closeSync', 'renameSync', 'writeSync'] as const) {
    const chain = new ChainFile(target, smallDisk(1000, { [call]: 'EIO' }));
    chain.write('line\n');
    assert.throws(() => chain.commit(), (e: Error) => e instanceof ChainWriteError && e.message === `cannot write ${target} (EIO)`, call);
    assert.is(readFileSync(target, 'utf8'), 'kept\n', call);
    assert.equal(temps(), [], call);
  }
  const aborted = new ChainFile(target);
  aborted.write('half');
  aborted.abort();
  aborted.write('after');
  assert.is(readFileSync(target, 'utf8'), 'kept\n');
  assert.equal(temps(), []);
});

file.run();

const recorder = suite('ChainRecorder');
recorder.after(() => rmSync(dir, { recursive: true, force: true }));

recorder('streams a chain that verifies, ends it with ChainEnd, and drops what comes after', () => {
  const target = join(dir, 'rec.jsonl');
  const chain = new ChainFile(target);
  const rec = new ChainRecorder(chain);
  for (const event of ALL_EVENTS) rec.record(event);
  rec.end('err', 'guest said no');
  rec.end('ok', 'ignored');
  rec.record({ type: 'HandlerSetupStart' });
  assert.ok(rec.ended);
  assert.is(rec.size, ALL_EVENTS.length + 1);
  chain.commit();
  const text = readFileSync(target, 'utf8');
  assert.is(text, formatChainJsonl(buildChain([...ALL_EVENTS, chainEnd(ALL_EVENTS, 'err', 'guest said no')])), 'byte for byte the canonical lines');
  assert.ok(verifyChain(text).ok, verifyChain(text).firstError?.message);
  assert.match(text.trimEnd().split('\n').at(-1) ?? '', new RegExp(`"event":\\{"type":"ChainEnd","events":${ALL_EVENTS.length},"outcome":"err","message":"guest said no"\\}\\}$`));
});

recorder('a fleet: header, then interleaved tagged chains, each whole', () => {
  const target = join(dir, 'fleet.jsonl');
  const chain = new ChainFile(target);
  chain.write(fleetHeader(2));
  const [a, b] = [new ChainRecorder(chain, 0), new ChainRecorder(chain, 1)];
  for (const event of ALL_EVENTS.slice(0, 4)) {
    a.record(event);
    b.record(event);
  }
  b.end('trap', 'wasi trap: x');
  a.end('ok', '');
  chain.commit();
  const text = readFileSync(target, 'utf8');
  const result = verifyChain(text);
  assert.ok(result.ok, result.firstError?.message);
  assert.equal(result.chains.map((c) => [c.instance, c.lines]), [[0, 5], [1, 5]]);
  const fourEvents = ALL_EVENTS.slice(0, 4);
  const ofB = text.split('\n').filter((row) => row.endsWith('"instance":1}')).map((row) => `${row}\n`).join('');
  assert.is(ofB, formatChainJsonl(buildChain([...fourEvents, chainEnd(fourEvents, 'trap', 'wasi trap: x')]), { instance: 1 }));
});

recorder.run();
