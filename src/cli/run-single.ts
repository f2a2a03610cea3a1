// `theater-timing run` in one process (--shards 1, a plan of one, or a replay):
// load the manifest, run the fleet, stream the chain, report on stdout/stderr,
// and choose the exit code. Sharded runs and slices: run.ts. The steps, in
// order: the manifest, the replay, the chain target, the run, the chain's
// fate, the report (single-report.ts).
import { existsSync } from 'node:fs';
import { ChainWriteError, type ChainFile } from '../events/chain-file.ts';
import { ConfigError } from '../handler/config.ts';
import { safeText } from '../base/text.ts';
import { loadManifest, ManifestError, type ActorManifest } from '../manifest/manifest.ts';
import { RecordingError } from '../replay/load.ts';
import { runFleet, type FleetResult } from '../runtime/fleet.ts';
import type { RunCommand } from './args.ts';
import { chainPath, chainRecording, ChainTargetError, checkChainTarget, openChainFile } from './chain-output.ts';
import { theaterStateError } from '../events/theater/encode.ts';
import { theaterChainsWhere, theaterRecording, type TheaterRecording } from './theater-output.ts';
import { cliOutput } from './actor-output.ts';
import { EXIT_DIVERGED, EXIT_USAGE, progress, type CliIo } from './io.ts';
import { replayFor } from './replay.ts';
import { reportSingle, type SingleRun } from './single-report.ts';

/** The manifest, or null after saying why it cannot be used (the run then exits 2). */
export function loadRunManifest(path: string, say: (text: string) => void): ActorManifest | null {
  try {
    return loadManifest(path);
  } catch (error) {
    if (!(error instanceof ManifestError || error instanceof ConfigError)) throw error;
    say(error.message);
    return null;
  }
}

type Replay = ReturnType<typeof replayFor>;

/** --replay, or a manifest's [[handler]] type = "replay": the recording serves the actor instead of a clock. Exit 2 when it cannot. */
function loadReplay(command: RunCommand, manifest: ActorManifest, io: CliIo, say: (text: string) => void): Replay | number {
  try {
    return replayFor(command, manifest, cliOutput(io, command.json ? 'stderr' : 'split'));
  } catch (error) {
    if (!(error instanceof RecordingError)) throw error;
    say(error.message);
    return EXIT_USAGE;
  }
}

/**
 * The chain target, checked before any actor runs: JSON Lines stream into `file`
 * during the run; Theater's chain.json files stream into their temporary files
 * (theaterRecording) and take their names under `theaterPath` at the end.
 * Exit 2 when there is no good target.
 */
function openTarget(command: RunCommand, manifest: ActorManifest, io: CliIo, say: (text: string) => void): Pick<SingleRun, 'file' | 'theaterPath'> | number {
  const theater = command.chainFormat === 'theater';
  try {
    const path = chainPath(command.events, manifest, theater ? '.chain.json' : '.events.jsonl');
    if (theater && path === null) {
      say('--chain-format theater: no chain to write: give --events <file>, or set save_chain = true in the manifest');
      return EXIT_USAGE;
    }
    const tooLarge = theater ? theaterStateError(command.state ?? manifest.init_state?.bytes ?? null) : null;
    if (tooLarge !== null) {
      say(`--chain-format theater: ${tooLarge}`);
      return EXIT_USAGE;
    }
    if (path !== null && theater) return { file: null, theaterPath: checkChainTarget(path, manifest, io.chainFs, { replay: command.replay, total: command.instances }) };
    return { file: path === null ? null : openChainFile(path, manifest, io.chainFs, { replay: command.replay }), theaterPath: null };
  } catch (error) {
    if (!(error instanceof ChainTargetError || error instanceof ChainWriteError)) throw error;
    say(`${chainFlag(command)}: ${error.message}`);
    return EXIT_USAGE;
  }
}

const chainFlag = (command: RunCommand): string => (command.events === null ? 'save_chain' : '--events');

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** An interrupted run leaves the target as it was: drop the temporary file(s), then die of the signal. Returns the undo. */
function abortOnSignal(run: SingleRun): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    abortChain(run);
    process.kill(process.pid, signal);
  };
  if (run.recording !== undefined) for (const signal of SIGNALS) process.once(signal, onSignal);
  return () => {
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
}

/** Drops whatever the run has written so far (the target stays as it was). */
export function abortChain(run: Pick<SingleRun, 'file' | 'recording'>): void {
  run.file?.abort();
  if (run.recording !== undefined && 'abort' in run.recording) run.recording.abort();
}

/** The fleet's result, or the exit code of a run that could not finish (the chain dropped). */
async function runTheFleet(run: SingleRun): Promise<FleetResult | number> {
  const { command, manifest, say } = run;
  const undo = abortOnSignal(run);
  try {
    return await runFleet(manifest, {
      instances: command.instances,
      maxLive: command.maxLive ?? undefined,
      mode: command.mode,
      clock: command.clock,
      activeWait: !command.coarseTimer,
      startWallNs: command.startWallNs ?? undefined,
      record: false,
      recording: run.recording,
      registry: run.replay?.registry,
      state: command.state,
      onProgress: progress(manifest.name, run.io, command.instances),
      output: cliOutput(run.io, command.json ? 'stderr' : 'split'),
    });
  } catch (error) {
    abortChain(run);
    if (refused(run)) return EXIT_USAGE;
    if (run.replay?.session.divergence) {
      say(run.replay.session.divergence);
      return EXIT_DIVERGED;
    }
    // Not ManifestError: the component cannot be transpiled or instantiated, it does not fit the manifest.
    say(error instanceof ManifestError ? error.message : `${manifest.path}: component: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_USAGE;
  } finally {
    undo();
  }
}

/**
 * A replay's chain is read as the actor goes; once the actor has settled the
 * rest is read too, and a chain `verify` would refuse fails the run (exit 2,
 * the line saying why, nothing written), however far the actor got.
 */
function refused(run: SingleRun): boolean {
  const refusal = run.replay?.session.refusal() ?? null;
  if (refusal !== null) run.say(`${run.replay!.origin}: ${refusal}`);
  return refusal !== null;
}

/** Commits or writes the chain; false (after saying why) when it could not be written. */
function finishChain(run: SingleRun, fleet: FleetResult): boolean {
  const { file, recording, say } = run;
  const target = file?.path ?? run.theaterPath;
  if (target === null) return true;
  try {
    if (file !== null && recording !== undefined) {
      file.commit();
      say(`wrote ${recording.events} events (${fleet.instances} chain${fleet.instances === 1 ? '' : 's'}) to ${file.path}`);
    } else if (recording !== undefined && 'commit' in recording) {
      const written = recording.commit();
      const total = fleet.instances;
      say(`wrote ${written} events (${total} Theater chain${total === 1 ? '' : 's'}) to ${theaterChainsWhere(target, total)}`);
    }
    return true;
  } catch (error) {
    if (!(error instanceof ChainWriteError)) throw error;
    const unchanged = existsSync(error.path) ? ' (the existing file is unchanged)' : '';
    say(`${chainFlag(run.command)}: ${error.message}; the chain was not written${unchanged}`);
    return false;
  }
}

export async function runSingle(command: RunCommand, io: CliIo): Promise<number> {
  // Every line we print goes through safeText: guest strings and manifest names cannot forge lines.
  const say = (text: string): void => io.stderr(`theater-timing: ${safeText(text)}\n`);
  const manifest = loadRunManifest(command.manifest, say);
  if (manifest === null) return EXIT_USAGE;
  for (const warning of manifest.warnings) say(`warning: ${warning}`);
  const replay = loadReplay(command, manifest, io, say);
  if (typeof replay === 'number') return replay;
  const target = openTarget(command, manifest, io, say);
  if (typeof target === 'number') return target;
  const recording = target.file !== null ? chainRecording(target.file, command.instances)
    : target.theaterPath !== null ? theaterRecording(target.theaterPath, command.instances, io.chainFs) : undefined;
  const run: SingleRun = { command, io, say, manifest, replay, ...target, recording };
  const fleet = await runTheFleet(run);
  if (typeof fleet === 'number') return fleet;
  if (refused(run)) {
    abortChain(run);
    return EXIT_USAGE;
  }
  // The chain's fate is reported first, but never instead of the run's outcome.
  const chainWritten = finishChain(run, fleet);
  return reportSingle(run, fleet, chainWritten);
}
