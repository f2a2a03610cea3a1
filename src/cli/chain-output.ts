// Where `run` writes its chain, checked before the run, and the fleet recording
// that streams every instance's events into it while the run goes on.
//
//   target   --events <file>, or <manifest dir>/<name>.events.jsonl with save_chain;
//            checked by the one rule for outputs (events/output-target.ts): a
//            regular file or a new one, none of the run's inputs (manifest,
//            component, init state, replay chain); with --chain-format theater
//            every per-instance name is checked; a manifest name cannot lead
//            out of the manifest's folder
//   file     ChainFile: a temporary file beside the target, renamed over it at
//            the end (so the folder is known writable before any actor runs)
//   layout   one instance: its chain, untagged. Several: the fleet header
//            {"fleet":{"instances":n}}, then every instance's lines tagged with
//            `instance`, interleaved as they happen; each chain ends with ChainEnd.
import { readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ChainFile, type ChainFs } from '../events/chain-file.ts';
import { outputCheck, OutputTargetError, type CommandInput } from '../events/output-target.ts';
import { theaterChainName, theaterChainPath } from '../events/theater/file.ts';
import { ChainRecorder } from '../events/chain-recorder.ts';
import { fleetHeader } from '../events/chain.ts';
import type { ActorManifest } from '../manifest/manifest.ts';
import type { InitOutcome } from '../runtime/actor.ts';
import type { FleetRecording } from '../runtime/fleet.ts';

const DIVERGED_PREFIX = 'replay diverged at event ';

/** A chain target refused before the run: the output rule's error, under the name the run's callers know. */
export { OutputTargetError as ChainTargetError };

/** What a run reads, which its outputs must never replace. */
export function runInputs(manifest: ActorManifest, replay: string | null = null): CommandInput[] {
  const inputs: CommandInput[] = [{ what: 'the manifest', path: manifest.path }, { what: 'the component', path: manifest.component }];
  if (manifest.init_state !== null) inputs.push({ what: 'the init state file', path: manifest.init_state.path });
  for (const handler of manifest.handlers) if (handler.type === 'replay') inputs.push({ what: 'the replay chain', path: handler.chain });
  if (replay !== null) inputs.push({ what: 'the replay chain', path: resolve(replay) });
  return inputs;
}

/** Which targets a run writes: --replay's chain (an input), and for Theater's format the instances whose files it writes. */
export interface TargetScope {
  replay?: string | null;
  /** The fleet's size: Theater's per-instance names depend on it (default 1). */
  total?: number;
  /** The instances written here, first .. first + instances - 1 (default the whole fleet). */
  first?: number;
  instances?: number;
}

/** The chain file a run writes, or null; throws ChainTargetError for a name that would leave the manifest's folder. */
export function chainPath(events: string | null, manifest: ActorManifest, suffix = '.events.jsonl'): string | null {
  if (events !== null) return resolve(events);
  if (!manifest.save_chain) return null;
  const file = `${manifest.name}${suffix}`;
  // A name is a file name here: no folder part, no dot-file, nothing that resolves elsewhere.
  if (/[/\\\0]/.test(manifest.name) || manifest.name.startsWith('.') || basename(file) !== file) {
    throw new OutputTargetError(`${manifest.path}: name: ${JSON.stringify(manifest.name)} cannot name a chain file in the manifest's folder (save_chain = true): use a name without "/", "\\" or a leading "."`);
  }
  return join(manifest.dir, file);
}

/**
 * Checks the targets of Theater's chain.json, written only at the end: every
 * per-instance name this process writes goes through the output rule (with
 * several instances the path given is only their pattern: x.toml names
 * x.0.toml, x.1.toml, …, any of which could be an input), and the folder is
 * proved writable by opening and removing a temporary file.
 */
export function checkChainTarget(path: string, manifest: ActorManifest, fileSystem?: ChainFs, scope: TargetScope = {}): string {
  const total = scope.total ?? 1;
  const first = scope.first ?? 0;
  const end = first + (scope.instances ?? total - first);
  const check = outputCheck(runInputs(manifest, scope.replay ?? null));
  if (total === 1) check(path);
  else {
    // Only a name that exists can be a device or an input: the folder is listed once, and only those are checked
    // (a million stats of absent names take seconds). A folder that cannot be listed: every name is checked.
    const present = namesIn(dirname(path));
    const file = basename(path);
    for (let instance = first; instance < end; instance++) {
      if (present === null || present.has(theaterChainName(file, instance))) check(theaterChainPath(path, instance, total), `instance ${instance}'s chain`);
    }
  }
  new ChainFile(path, fileSystem).abort();
  return path;
}

function namesIn(folder: string): Set<string> | null {
  try {
    return new Set(readdirSync(folder));
  } catch {
    return null;
  }
}

/** Checks the target by the output rule and opens its temporary file; throws ChainTargetError or ChainWriteError. */
export function openChainFile(path: string, manifest: ActorManifest, fileSystem?: ChainFs, scope: TargetScope = {}): ChainFile {
  outputCheck(runInputs(manifest, scope.replay ?? null))(path);
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
