/*
 * The one rule for every file the CLI writes: `run --events` and save_chain
 * (and each per-instance name of --chain-format theater), `merge --events`,
 * `timeline -o`. Checked before anything is written:
 *
 *   kind      the target is a regular file, or does not exist yet. Never a
 *             device, FIFO, socket or folder: a chain is written to a temporary
 *             file renamed over the target, and run as root that rename
 *             replaces /dev/null (or /dev/full, or a FIFO) with a regular file.
 *   inputs    the target is none of the command's inputs (manifest, component,
 *             init state, replay chain, merge inputs), compared by identity
 *             (device and inode, links followed), so a symlink or hard link to
 *             an input is caught as well as its own name.
 *
 * Links are followed for both: a symlink to /dev/null is refused as a
 * character device. A name that does not exist (ENOENT) or cannot exist
 * (ENOTDIR) passes: opening the temporary file then says why it cannot be written.
 */
import { statSync, type Stats } from 'node:fs';

export class OutputTargetError extends Error {
  override name = 'OutputTargetError';
}

/** One input of a command: what it is (for the message: "the manifest") and its path. */
export interface CommandInput {
  what: string;
  path: string;
}

/** Checks a target path; `label` names it in the message when the path alone would not (a per-instance name). */
export type OutputCheck = (path: string, label?: string) => void;

/** What a target is when it is not a regular file (null: it is one). Links are already followed, so one of these. */
export function targetKind(stats: Pick<Stats, 'isFile' | 'isDirectory' | 'isFIFO' | 'isSocket' | 'isCharacterDevice'>): string | null {
  if (stats.isFile()) return null;
  if (stats.isDirectory()) return 'a folder';
  return stats.isFIFO() ? 'a FIFO' : stats.isSocket() ? 'a socket' : stats.isCharacterDevice() ? 'a character device' : 'a block device';
}

function statOf(path: string): Stats | string | null {
  try {
    // No exception for a name that does not exist: a million per-instance names cost 1 s, not 15.
    return statSync(path, { throwIfNoEntry: false }) ?? null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return code === 'ENOENT' || code === 'ENOTDIR' ? null : code;
  }
}

/**
 * The check for one command: its inputs are looked up once (an input that
 * cannot be read is no file to protect), then each target costs one stat,
 * so a fleet's per-instance names can all be checked.
 */
export function outputCheck(inputs: readonly CommandInput[]): OutputCheck {
  const known: Array<CommandInput & { dev: number; ino: number }> = [];
  for (const input of inputs) {
    const stats = statOf(input.path);
    if (stats !== null && typeof stats !== 'string') known.push({ ...input, dev: stats.dev, ino: stats.ino });
  }
  return (path, label) => {
    const stats = statOf(path);
    if (stats === null) return;
    const where = label === undefined ? path : `${path} (${label})`;
    if (typeof stats === 'string') throw new OutputTargetError(`${where}: cannot check what it is (${stats}); refusing to write it`);
    const kind = targetKind(stats);
    if (kind === 'a folder') throw new OutputTargetError(`${where} is a folder, not a file`);
    if (kind !== null) throw new OutputTargetError(`${where} is ${kind}, not a regular file: refusing to replace it`);
    const input = known.find((k) => k.dev === stats.dev && k.ino === stats.ino);
    if (input !== undefined) throw new OutputTargetError(`${where} is ${input.what}: refusing to overwrite it`);
  };
}

/** The rule for one target: a regular file or a new one, and none of `inputs`. Throws an OutputTargetError. */
export function checkOutputTarget(path: string, inputs: readonly CommandInput[], label?: string): void {
  outputCheck(inputs)(path, label);
}
