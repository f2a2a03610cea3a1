// The transpile cache folder: created private, refused (memory only, one notice)
// when others could write it or its key, and its key made once.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildActors } from '../../scripts/build-actors.ts';
import { KEY_FILE, openCacheFolder, sendCacheNoticeTo } from '../../src/component/cache-folder.ts';
import { transpileComponent } from '../../src/component/transpile.ts';

const [built] = await buildActors({ only: ['poll-empty'] });
const component = new Uint8Array(readFileSync(built.outPath));
const scratch = mkdtempSync(join(tmpdir(), 'cache-folder-test-'));
let dirs = 0;
const freshDir = () => join(scratch, `cache-${dirs++}`);
const uid = process.getuid?.() ?? null;
const notices: string[] = [];
const previous = sendCacheNoticeTo((line) => notices.push(line));
test.after(() => {
  sendCacheNoticeTo(previous);
  rmSync(scratch, { recursive: true, force: true });
});
const transpile = (cacheDir: string) => transpileComponent(component, { mode: 'sync', cacheDir, memo: false });
const mode = (path: string) => statSync(path).mode & 0o777;

test('a new cache folder (and its missing parents) is 0700, its key 0600, its entries 0700 with 0600 files', async () => {
  const dir = join(freshDir(), 'deeper', 'transpiled');
  const c = await transpile(dir);
  assert.is(mode(join(dir, '..')), 0o700);
  assert.is(mode(dir), 0o700);
  assert.is(mode(join(dir, KEY_FILE)), 0o600);
  assert.is(statSync(join(dir, KEY_FILE)).size, 32);
  assert.is(mode(join(dir, c.key)), 0o700);
  for (const name of readdirSync(join(dir, c.key))) assert.is(mode(join(dir, c.key, name)), 0o600, name);
  assert.is((await transpile(dir)).origin, 'disk');
  assert.equal(notices, []);
});

test('a group- or other-writable folder is neither read nor written: memory only, one notice naming it and the fix', async () => {
  for (const bits of [0o770, 0o707]) {
    const dir = freshDir();
    await transpile(dir); // a good entry and key, made while the folder was private
    chmodSync(dir, bits);
    notices.length = 0;
    const c = await transpile(dir);
    assert.is(c.origin, 'generated', 'the entry in an unsafe folder is not run');
    assert.is((await transpile(dir)).origin, 'generated');
    assert.equal(notices, [`transpile cache ${dir} not used: it is writable by group or others (mode 0${bits.toString(8)}), and whoever can write it could run code in this process. Fix: chmod 700 ${dir}, or set THEATER_TIMING_CACHE to a private folder. This run transpiles in memory.`]);
    chmodSync(dir, 0o700);
    assert.is((await transpile(dir)).origin, 'disk', 'fixed, the folder is used again');
  }
});

test('a folder above that others can write without the sticky bit is refused; a sticky one (like /tmp) is not', async () => {
  const parent = freshDir();
  const dir = join(parent, 'transpiled');
  await transpile(dir);
  chmodSync(parent, 0o777);
  notices.length = 0;
  assert.is((await transpile(dir)).origin, 'generated');
  assert.match(notices[0], `the folder above it, ${parent}, is writable by group or others without the sticky bit (mode 0777)`);
  chmodSync(parent, 0o1777);
  assert.is((await transpile(dir)).origin, 'disk');
});

test('a key file others can read, or that is not 32 bytes, is refused', async () => {
  const dir = freshDir();
  await transpile(dir);
  chmodSync(join(dir, KEY_FILE), 0o644);
  notices.length = 0;
  assert.is(openCacheFolder(dir), null);
  assert.match(notices[0], `its key file ${join(dir, KEY_FILE)} can be read or written by group or others (mode 0644)`);
  assert.match(notices[0], `Fix: remove ${join(dir, KEY_FILE)}`);
  const short = freshDir();
  mkdirSync(short, { mode: 0o700 });
  writeFileSync(join(short, KEY_FILE), 'short', { mode: 0o600 });
  assert.is(openCacheFolder(short), null);
  assert.match(notices[1], 'is not 32 bytes');
  rmSync(join(short, KEY_FILE));
  assert.ok(openCacheFolder(short) !== null, 'removed, a new key is made');
});

// chown needs root; as another user this cannot be set up, so it is skipped (and says so).
test(`a folder or key file owned by another user is refused${uid === 0 ? '' : ' (skipped: not root, cannot chown)'}`, async () => {
  if (uid !== 0) return;
  const dir = freshDir();
  await transpile(dir);
  chownSync(dir, 65534, 65534);
  notices.length = 0;
  assert.is((await transpile(dir)).origin, 'generated');
  assert.match(notices[0], `transpile cache ${dir} not used: it is owned by uid 65534, not by this user (uid 0)`);
  chownSync(dir, 0, 0);
  chownSync(join(dir, KEY_FILE), 65534, 65534);
  assert.is(openCacheFolder(dir), null);
  assert.match(notices[1], 'is owned by uid 65534, not by this user');
  const above = freshDir();
  mkdirSync(above, { mode: 0o755 });
  chownSync(above, 65534, 65534);
  assert.is(openCacheFolder(join(above, 'transpiled')), null);
  assert.match(notices[2], `the folder above it, ${above}, is owned by uid 65534, who could replace it`);
});

test('without uids (Windows) no owner or mode is judged: only the entries\' HMAC protects them', () => {
  const dir = freshDir();
  mkdirSync(dir, { mode: 0o700 });
  chmodSync(dir, 0o777);
  notices.length = 0;
  const folder = openCacheFolder(dir, null);
  assert.ok(folder !== null && folder.secret.length === 32);
  assert.equal(notices, []);
});

test('the key is made once: a second open reads it, and no temporary file is left', () => {
  const dir = freshDir();
  const first = openCacheFolder(dir);
  const second = openCacheFolder(dir);
  assert.ok(first !== null && second !== null);
  assert.equal(Buffer.from(second!.secret), Buffer.from(first!.secret));
  assert.equal(readdirSync(dir), [KEY_FILE], 'no temporary key file is left');
});

test.run();
