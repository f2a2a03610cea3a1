/*
 * Whether a transpile cache folder may be trusted, and its key.
 *
 * Whoever can write the cache folder can put JavaScript in it that this process
 * would import, so the folder must be as private as the code it holds:
 *   - it is created with mode 0700 (and its missing parents too);
 *   - it must be a folder owned by this user, not writable by group or others;
 *   - every folder above it must be owned by this user or root and writable by
 *     no one else, unless sticky (like /tmp, where others cannot rename ours);
 *   - its key file (`<dir>/key`, 32 random bytes, mode 0600, created on first use)
 *     must be owned by this user and readable by no one else. Entries carry an
 *     HMAC-SHA-256 under that key (transpile-cache.ts), so an entry copied from
 *     elsewhere, rewritten in part or swapped with another fails it.
 * A folder that fails a check is not used at all (neither read nor written): the
 * run transpiles in memory, and one line says why and what fixes it (a process
 * warning for the library, once per line and process, stderr for the CLI: sendCacheNoticeTo).
 * Where the platform has no uids (Windows: access is by ACL, and the mode bits
 * Node reports mean nothing there), no owner or mode is checked: only the HMAC.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, linkSync, mkdirSync, openSync, readSync, realpathSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The key file's name, beside the entries it protects. */
export const KEY_FILE = 'key';
const KEY_BYTES = 32;
// S_ISVTX, which fs.constants does not export.
const STICKY = 0o1000;

export interface CacheFolder {
  dir: string;
  /** The per-user HMAC key of the folder's entries. */
  secret: Uint8Array;
}

let noticeSink: (line: string) => void = (line) => process.emitWarning(line, { code: 'THEATER_TIMING_UNSAFE_CACHE' });
const told = new Set<string>();

/** Sends the unsafe-cache notice to `sink` instead of process.emitWarning (the CLI: its stderr); returns the previous sink. */
export function sendCacheNoticeTo(sink: (line: string) => void): (line: string) => void {
  const previous = noticeSink;
  noticeSink = sink;
  return previous;
}

/**
 * The folder and its key when the folder is safe to use; null when it cannot be
 * created (the cache is an optimisation: memory only, silently) or fails a check
 * (memory only, and one notice per folder and problem per process).
 */
export function openCacheFolder(dir: string, uid: number | null = process.getuid?.() ?? null): CacheFolder | null {
  let real: string;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    real = realpathSync(dir);
  } catch {
    return null;
  }
  const problem = uid === null ? null : folderProblem(real, uid) ?? ancestorProblem(real, uid);
  if (problem !== null) return refuse(dir, problem);
  try {
    return { dir, secret: readOrCreateKey(join(real, KEY_FILE), uid) };
  } catch (error) {
    if (error instanceof UnsafeKey) return refuse(dir, { why: error.message, fix: `remove ${join(real, KEY_FILE)} (a new key is made; every entry is rebuilt once)` });
    return null; // unreadable or unwritable: memory only, as for a folder that cannot be created
  }
}

interface Problem { why: string; fix: string }

const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

/** The cache folder itself: owned by us, writable by no one else. */
function folderProblem(real: string, uid: number): Problem | null {
  const stat = statSync(real);
  const fix = `chmod 700 ${real}, or set THEATER_TIMING_CACHE to a private folder`;
  if (stat.uid !== uid) return { why: `it is owned by uid ${stat.uid}, not by this user (uid ${uid})`, fix: `set THEATER_TIMING_CACHE to a folder of your own (or chown it)` };
  if ((stat.mode & 0o022) !== 0) return { why: `it is writable by group or others (mode ${octal(stat.mode)})`, fix };
  return null;
}

/** Each folder above: owned by us or root, and writable by no one else unless sticky. */
function ancestorProblem(real: string, uid: number): Problem | null {
  for (let dir = dirname(real); ; dir = dirname(dir)) {
    const stat = statSync(dir);
    if (stat.uid !== uid && stat.uid !== 0) {
      return { why: `the folder above it, ${dir}, is owned by uid ${stat.uid}, who could replace it`, fix: 'set THEATER_TIMING_CACHE to a folder under one of your own' };
    }
    if ((stat.mode & 0o022) !== 0 && (stat.mode & STICKY) === 0) {
      return { why: `the folder above it, ${dir}, is writable by group or others without the sticky bit (mode ${octal(stat.mode)}), so they could replace it`, fix: `chmod go-w ${dir}, or set THEATER_TIMING_CACHE to a private folder` };
    }
    if (dirname(dir) === dir) return null;
  }
}

function refuse(dir: string, { why, fix }: Problem): null {
  const line = `transpile cache ${dir} not used: ${why}, and whoever can write it could run code in this process. Fix: ${fix}. This run transpiles in memory.`;
  if (!told.has(line)) {
    told.add(line);
    noticeSink(line);
  }
  return null;
}

class UnsafeKey extends Error {}

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** The 32-byte key in `path`, created (0600) when missing: written aside, then linked into place, so no reader sees half a key. */
function readOrCreateKey(path: string, uid: number | null): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if (codeOf(error) !== 'ENOENT') throw error;
    return createKey(path, uid);
  }
  try {
    const stat = fstatSync(fd);
    if (uid !== null && stat.uid !== uid) throw new UnsafeKey(`its key file ${path} is owned by uid ${stat.uid}, not by this user`);
    if (uid !== null && (stat.mode & 0o077) !== 0) throw new UnsafeKey(`its key file ${path} can be read or written by group or others (mode ${octal(stat.mode)})`);
    const secret = new Uint8Array(KEY_BYTES);
    if (stat.size !== KEY_BYTES || readSync(fd, secret, 0, KEY_BYTES, 0) !== KEY_BYTES) throw new UnsafeKey(`its key file ${path} is not ${KEY_BYTES} bytes`);
    return secret;
  } finally {
    closeSync(fd);
  }
}

function createKey(path: string, uid: number | null): Uint8Array {
  const secret = randomBytes(KEY_BYTES);
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, secret);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (error) {
    if (codeOf(error) !== 'EEXIST') throw error;
    return readOrCreateKey(path, uid); // another process made it first: theirs is the key
  } finally {
    rmSync(tmp, { force: true });
  }
  return secret;
}
