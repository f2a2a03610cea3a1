// The output rule (src/events/output-target.ts) on its own: what a target may
// be, and inputs matched by identity. Through the binary: test/cli/files.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutputTarget, OutputTargetError, outputCheck, targetKind } from '../../src/events/output-target.ts';

const dir = mkdtempSync(join(tmpdir(), 'theater-output-target-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const stats = (kind: 'file' | 'dir' | 'fifo' | 'socket' | 'char' | 'block') => ({
  isFile: () => kind === 'file',
  isDirectory: () => kind === 'dir',
  isFIFO: () => kind === 'fifo',
  isSocket: () => kind === 'socket',
  isCharacterDevice: () => kind === 'char',
});

test('targetKind: null for a regular file, else what the target is', () => {
  assert.equal((['file', 'dir', 'fifo', 'socket', 'char', 'block'] as const).map((k) => targetKind(stats(k))),
    [null, 'a folder', 'a FIFO', 'a socket', 'a character device', 'a block device']);
});

test('inputs are matched by device and inode: a hard link or a symlink to an input is that input; missing inputs are skipped', () => {
  const input = join(dir, 'manifest.toml');
  writeFileSync(input, 'x');
  linkSync(input, join(dir, 'hard'));
  symlinkSync(input, join(dir, 'soft'));
  symlinkSync(join(dir, 'loop'), join(dir, 'loop'));
  const check = outputCheck([{ what: 'the manifest', path: input }, { what: 'gone', path: join(dir, 'nope') }, { what: 'a loop', path: join(dir, 'loop') }]);
  for (const name of ['manifest.toml', 'hard', 'soft']) {
    assert.throws(() => check(join(dir, name)), (e: unknown) => e instanceof OutputTargetError && e.message === `${join(dir, name)} is the manifest: refusing to overwrite it`);
  }
  check(join(dir, 'new.jsonl'));
  check(join(dir, 'manifest.toml', 'under-a-file')); // ENOTDIR: opening it will say why
  writeFileSync(join(dir, 'old.jsonl'), '');
  check(join(dir, 'old.jsonl'));
  assert.throws(() => checkOutputTarget(join(dir, 'loop'), [], 'instance 3\'s chain'), /loop \(instance 3's chain\): cannot check what it is \(ELOOP\); refusing to write it$/);
  mkdirSync(join(dir, 'folder'));
  assert.throws(() => checkOutputTarget(join(dir, 'folder'), []), /folder is a folder, not a file$/);
  assert.throws(() => checkOutputTarget('/dev/null', []), /^\/dev\/null is a character device, not a regular file: refusing to replace it$/);
});

test.run();
