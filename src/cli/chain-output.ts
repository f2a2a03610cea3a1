// Where `run` writes its chain, checked before the run, and the fleet recording
// that streams every instance's events into it while the run goes on.
//
//   target   --events <file>, or <manifest dir>/<name>.events.jsonl with save_chain;
//            never the manifest or the component, never a folder, and a manifest
//            name cannot lead out of the manifest's folder
//   file     ChainFile: a temporary file beside the target, renamed over it at
//            the end (so the folder is known writable before any actor runs)
//   layout   one instance: its chain, untagged. Several: the fleet header
//            {"fleet":{"instances":n}}, then every instance's lines tagged with
//            `instance`, interleaved as they happen; each chain ends with ChainEnd.
import { statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ChainFile, type ChainFs } from '../events/chain-file.ts';
import { ChainRecorder } from '../events/chain-recorder.ts';
import { fleetHeader } from '../events/chain.ts';
import type { ActorManifest } from '../manifest/manifest.ts';
import type { InitOutcome } from '../runtime/actor.ts';
import type { FleetRecording } from '../runtime/fleet.ts';

const DIVERGED_PREFIX = 'replay diverged at event ';

export class ChainTargetError extends Error {
  override name = 'ChainTargetError';
}

/** The chain file a run writes, or null; throws ChainTargetError for a name that would leave the manifest's folder. */
export function chainPath(events: string | null, manifest: ActorManifest, suffix = '.events.jsonl'): string | null {
  if (events !== null) return resolve(events);
  if (!manifest.save_chain) return null;
  const file = `${manifest.name}${suffix}`;
  // A name is a file name here: no folder part, no dot-file, nothing that resolves elsewhere.
  if (/[/\\\0]/.test(manifest.name) || manifest.name.startsWith('.') || basename(file) !== file) {
    throw new ChainTargetError(`${manifest.path}: name: ${JSON.stringify(manifest.name)} cannot name a chain file in the manifest's folder (save_chain = true): use a name without "/", "\\" or a leading "."`);
  }
  return join(manifest.dir, file);
}

function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const x = statSync(a), y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/**
 * Checks a target written only at the end (Theater's chain.json): the same
 * rules, and the folder is proved writable by opening and removing a temporary file.
 */
export function checkChainTarget(path: string, manifest: ActorManifest, fileSystem?: ChainFs): string {
  openChainFile(path, manifest, fileSystem).abort();
  return path;
}

/** Checks the target and opens its temporary file; throws ChainTargetError or ChainWriteError. */
export function openChainFile(path: string, manifest: ActorManifest, fileSystem?: ChainFs): ChainFile {
  if (sameFile(path, manifest.path)) throw new ChainTargetError(`${path} is the manifest: refusing to overwrite it`);
  if (sameFile(path, manifest.component)) throw new ChainTargetError(`${path} is the component: refusing to overwrite it`);
  let isFolder = false;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    // does not exist yet: fine
  }
  if (isFolder) throw new ChainTargetError(`${path} is a folder, not a file`);
  return new ChainFile(path, fileSystem);
}

/** The recording runFleet streams into `file`: each instance's chain closed with ChainEnd as it settles. */
export function chainRecording(file: ChainFile, instances: number): FleetRecording & { events: number } {
  const many = instances > 1;
  if (many) file.write(fleetHeader(instances));
  const open = new Map<number, ChainRecorder>();
  const recording = {
    events: 0,
    open(instance: number): ChainRecorder {
      const recorder = new ChainRecorder(file, many ? instance : undefined);
      open.set(instance, recorder);
      return recorder;
    },
    close(instance: number, outcome: InitOutcome): void {
      const recorder = open.get(instance);
      if (recorder === undefined) return;
      open.delete(instance);
      // A replay that diverged stops its actor with the divergence line: the chain says so.
      const status = outcome.status === 'trap' && outcome.error.startsWith(DIVERGED_PREFIX) ? 'diverged' : outcome.status;
      recorder.end(status, outcome.status === 'ok' ? '' : outcome.error);
      recording.events += recorder.size;
    },
  };
  return recording;
}
