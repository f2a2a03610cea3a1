// wasi:filesystem for an actor without a filesystem grant (this host grants none).
//
// get-directories answers one preopen, DENIED_ROOT ("/"), whose descriptor denies
// everything: each wasi:filesystem/types method on it traps, naming the capability,
// the operation and its path:
//
//   wasi trap: wasi:filesystem not granted: open-at "secret.txt" under "/" (this host grants no filesystem)
//
// Why one denied preopen rather than none: with no preopen a guest that wants a
// file finds nothing to open, and its runtime reports a missing file (ENOENT, or
// undefined), so a denial looks like an absence. Listing the preopen is harmless:
// runtimes ask for the preopens at start-up (StarlingMonkey does, at its first
// call) and only keep them; the first real use traps.
// No descriptor other than the root is ever made; a directory-entry-stream never is.
import { WasiTrap } from '../base/trap.ts';
import { safeText } from '../base/text.ts';

/** The one preopen every actor sees; it grants nothing. */
export const DENIED_ROOT = '/';
const HOW = 'this host grants no filesystem';
/** The longest guest path a trap message repeats (the rest is elided). */
const MAX_PATH_CHARS = 200;

export function filesystemDenied(operation: string, path: string | null): never {
  const shown = path === null ? '' : ` ${quotedPath(path)}`;
  throw new WasiTrap(`wasi:filesystem not granted: ${operation}${shown} under "${DENIED_ROOT}" (${HOW})`);
}

function quotedPath(path: unknown): string {
  const text = typeof path === 'string' ? path : String(path);
  const cut = text.length > MAX_PATH_CHARS ? `${text.slice(0, MAX_PATH_CHARS)}…` : text;
  return `"${safeText(cut)}"`;
}

const ROOT = Symbol('denied root');

/** wasi:filesystem/types descriptor; the only one is the denied root. The guest cannot make one. */
export class Descriptor {
  constructor(token?: symbol) {
    if (token !== ROOT) filesystemDenied('descriptor', null);
  }
  // Operations on the descriptor itself: no path.
  readViaStream(): never { return filesystemDenied('read-via-stream', DENIED_ROOT); }
  writeViaStream(): never { return filesystemDenied('write-via-stream', DENIED_ROOT); }
  appendViaStream(): never { return filesystemDenied('append-via-stream', DENIED_ROOT); }
  advise(): never { return filesystemDenied('advise', DENIED_ROOT); }
  syncData(): never { return filesystemDenied('sync-data', DENIED_ROOT); }
  getFlags(): never { return filesystemDenied('get-flags', DENIED_ROOT); }
  /** StarlingMonkey asks the root's type at start-up: a directory, which grants nothing. */
  getType(): 'directory' { return 'directory'; }
  setSize(): never { return filesystemDenied('set-size', DENIED_ROOT); }
  setTimes(): never { return filesystemDenied('set-times', DENIED_ROOT); }
  read(): never { return filesystemDenied('read', DENIED_ROOT); }
  write(): never { return filesystemDenied('write', DENIED_ROOT); }
  readDirectory(): never { return filesystemDenied('read-directory', DENIED_ROOT); }
  sync(): never { return filesystemDenied('sync', DENIED_ROOT); }
  stat(): never { return filesystemDenied('stat', DENIED_ROOT); }
  isSameObject(): never { return filesystemDenied('is-same-object', DENIED_ROOT); }
  metadataHash(): never { return filesystemDenied('metadata-hash', DENIED_ROOT); }
  // Operations on a path under it (jco passes the WIT arguments in order).
  createDirectoryAt(path: string): never { return filesystemDenied('create-directory-at', path); }
  statAt(_flags: unknown, path: string): never { return filesystemDenied('stat-at', path); }
  setTimesAt(_flags: unknown, path: string): never { return filesystemDenied('set-times-at', path); }
  linkAt(_flags: unknown, oldPath: string): never { return filesystemDenied('link-at', oldPath); }
  openAt(_flags: unknown, path: string): never { return filesystemDenied('open-at', path); }
  readlinkAt(path: string): never { return filesystemDenied('readlink-at', path); }
  removeDirectoryAt(path: string): never { return filesystemDenied('remove-directory-at', path); }
  renameAt(oldPath: string): never { return filesystemDenied('rename-at', oldPath); }
  symlinkAt(_oldPath: string, newPath: string): never { return filesystemDenied('symlink-at', newPath); }
  unlinkFileAt(path: string): never { return filesystemDenied('unlink-file-at', path); }
  metadataHashAt(_flags: unknown, path: string): never { return filesystemDenied('metadata-hash-at', path); }
  /** jco calls this when the guest drops its handle: nothing is held. */
  [Symbol.dispose](): void {}
}

/** wasi:filesystem/types directory-entry-stream: never made (read-directory traps first). */
export class DirectoryEntryStream {
  constructor() {
    filesystemDenied('directory-entry-stream', null);
  }
}

/** The imports for wasi:filesystem/preopens and types. A fresh root per call, like a fresh handle. */
export function deniedFilesystem(): Record<string, object> {
  return {
    'wasi:filesystem/preopens': { getDirectories: (): Array<[Descriptor, string]> => [[new Descriptor(ROOT), DENIED_ROOT]] },
    'wasi:filesystem/types': {
      Descriptor,
      DirectoryEntryStream,
      // A stream error never comes from a file here: there are none.
      filesystemErrorCode: (): undefined => undefined,
    },
  };
}
