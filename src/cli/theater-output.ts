// `run --chain-format theater`: each instance's chain as Theater's chain.json,
// one file per instance (names: theaterChainPath, numbered across the whole
// fleet, so the shards of one run each write their own instances' files in
// place). Each chain streams to its temporary file as the actor runs
// (TheaterChainRecorder) and is sealed when it settles; commit renames them
// all at the end of the run, abort drops them (a failed or interrupted run).
import type { ChainFs } from '../events/chain-file.ts';
import { TheaterChainRecorder } from '../events/theater/recorder.ts';
import { theaterChainPath } from '../events/theater/file.ts';
import type { InitOutcome } from '../runtime/actor.ts';
import type { FleetRecording } from '../runtime/fleet.ts';

export interface TheaterRecording extends FleetRecording {
  /** Theater events written by the instances settled so far. */
  readonly events: number;
  /** Puts every settled chain in place; throws the first ChainWriteError. */
  commit(): number;
  /** Drops every temporary file. */
  abort(): void;
}

/** The recording of a fleet (or a shard of a fleet of `total`) into one chain.json per instance under `path`'s pattern. */
export function theaterRecording(path: string, total: number, fileSystem?: ChainFs): TheaterRecording {
  const open = new Map<number, TheaterChainRecorder>();
  const sealed: TheaterChainRecorder[] = [];
  let events = 0;
  return {
    get events() { return events; },
    open(instance, run) {
      const recorder = new TheaterChainRecorder(theaterChainPath(path, instance, total), run.imports, run.state, fileSystem);
      open.set(instance, recorder);
      return recorder;
    },
    close(instance: number, outcome: InitOutcome) {
      const recorder = open.get(instance);
      if (recorder === undefined) return;
      open.delete(instance);
      recorder.end(outcome);
      events += recorder.size;
      sealed.push(recorder);
    },
    commit() {
      try {
        for (const recorder of sealed) recorder.commit();
      } catch (error) {
        abort();
        throw error;
      }
      return events;
    },
    abort,
  };
  function abort(): void {
    for (const recorder of [...open.values(), ...sealed]) recorder.abort();
  }
}

/** Where a run's Theater chains went, for the "wrote" line. */
export function theaterChainsWhere(path: string, total: number): string {
  return total === 1 ? path : `${theaterChainPath(path, 0, total)} … ${theaterChainPath(path, total - 1, total)}`;
}
