// `theater-timing run` in one process (--shards 1, a plan of one, or a replay):
// load the manifest, run the fleet, stream the chain, report on stdout/stderr,
// and choose the exit code. Sharded runs and slices: run.ts.
import { existsSync } from 'node:fs';
import { ChainWriteError, type ChainFile } from '../events/chain-file.ts';
import { ConfigError } from '../handler/config.ts';
import { safeText } from '../base/text.ts';
import { loadManifest, ManifestError, type ActorManifest } from '../manifest/manifest.ts';
import { RecordingError } from '../replay/load.ts';
import { runFleet, type FleetResult, type InstanceResult } from '../runtime/fleet.ts';
import type { RunCommand } from './args.ts';
import { chainPath, chainRecording, ChainTargetError, checkChainTarget, openChainFile } from './chain-output.ts';
import { writeTheaterEvents } from './theater-output.ts';
import { cliOutput } from './actor-output.ts';
import { EXIT_DIVERGED, EXIT_ERR, EXIT_OK, EXIT_TRAP, EXIT_USAGE, type CliIo } from './io.ts';
import { replayFor } from './replay.ts';
import { showState } from './state-text.ts';
import { MAX_FAILURES, type Failure } from './summary.ts';

/** Failures shown on stderr for a fleet; the rest are counted. */
const MAX_FAILURES_SHOWN = 10;
const PROGRESS_EVERY_MS = 100;

function failureLine(result: InstanceResult, many: boolean): string | null {
  const { outcome } = result;
  if (outcome.status === 'ok') return null;
  const who = many ? `instance ${result.instance}: ` : '';
  return outcome.status === 'err' ? `${who}init returned err: ${outcome.error}` : `${who}trapped: ${outcome.error}`;
}

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

export async function runSingle(command: RunCommand, io: CliIo): Promise<number> {
  // Every line we print goes through safeText: guest strings and manifest names cannot forge lines.
  const say = (text: string): void => io.stderr(`theater-timing: ${safeText(text)}\n`);
  const manifest = loadRunManifest(command.manifest, say);
  if (manifest === null) return EXIT_USAGE;
  for (const warning of manifest.warnings) say(`warning: ${warning}`);
  // --replay, or a manifest's [[handler]] type = "replay": the recording serves the actor instead of a clock.
  let replay: ReturnType<typeof replayFor>;
  try {
    replay = replayFor(command, manifest);
  } catch (error) {
    if (!(error instanceof RecordingError)) throw error;
    say(error.message);
    return EXIT_USAGE;
  }
  const session = replay?.session ?? null;
  const flag = command.events === null ? 'save_chain' : '--events';
  const theater = command.chainFormat === 'theater';
  // JSON Lines stream into `file` during the run; Theater's chain.json is written at the end (from memory, within max_events).
  let file: ChainFile | null = null;
  let theaterPath: string | null = null;
  try {
    const path = chainPath(command.events, manifest, theater ? '.chain.json' : '.events.jsonl');
    if (theater && path === null) {
      say('--chain-format theater: no chain to write: give --events <file>, or set save_chain = true in the manifest');
      return EXIT_USAGE;
    }
    if (path !== null && theater) theaterPath = checkChainTarget(path, manifest, io.chainFs);
    else if (path !== null) file = openChainFile(path, manifest, io.chainFs);
  } catch (error) {
    if (!(error instanceof ChainTargetError || error instanceof ChainWriteError)) throw error;
    say(`${flag}: ${error.message}`);
    return EXIT_USAGE;
  }
  const recording = file === null ? undefined : chainRecording(file, command.instances);
  // An interrupted run leaves the target as it was: drop the temporary file, then die of the signal.
  const onSignal = (signal: NodeJS.Signals): void => {
    file?.abort();
    process.kill(process.pid, signal);
  };
  if (file !== null) for (const signal of SIGNALS) process.once(signal, onSignal);

  let lastProgress = 0;
  const onProgress = io.isTTY && command.instances > 1
    ? (settled: number, total: number): void => {
      const now = Date.now();
      if (settled < total && now - lastProgress < PROGRESS_EVERY_MS) return;
      lastProgress = now;
      io.stderr(`\r${safeText(manifest.name)}: ${settled}/${total} settled${settled === total ? '\n' : ''}`);
    }
    : undefined;

  let fleet: FleetResult;
  try {
    fleet = await runFleet(manifest, {
      instances: command.instances,
      maxLive: command.maxLive ?? undefined,
      mode: command.mode,
      clock: command.clock,
      activeWait: !command.coarseTimer,
      startWallNs: command.startWallNs ?? undefined,
      record: theaterPath !== null,
      recording,
      registry: replay?.registry,
      state: command.state,
      onProgress,
      output: cliOutput(io, command.json ? 'stderr' : 'split'),
    });
  } catch (error) {
    file?.abort();
    if (session?.divergence) {
      say(session.divergence);
      return EXIT_DIVERGED;
    }
    if (error instanceof ManifestError) {
      say(error.message);
      return EXIT_USAGE;
    }
    // The component cannot be transpiled or instantiated: it does not fit the manifest.
    say(`${manifest.path}: component: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_USAGE;
  } finally {
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  }

  // The chain's fate is reported first, but never instead of the run's outcome.
  let chainFailed = false;
  const chainTarget = file?.path ?? theaterPath;
  if (chainTarget !== null) {
    try {
      if (file !== null && recording !== undefined) {
        file.commit();
        say(`wrote ${recording.events} events (${fleet.instances} chain${fleet.instances === 1 ? '' : 's'}) to ${file.path}`);
      } else {
        await writeTheaterEvents(chainTarget, fleet, io);
      }
    } catch (error) {
      if (!(error instanceof ChainWriteError)) throw error;
      chainFailed = true;
      say(`${flag}: ${error.message}; the chain was not written${existsNote(error.path)}`);
    }
  }

  const divergence = session?.finish(fleet.results[0].outcome) ?? null;
  if (divergence !== null) {
    say(divergence);
    return EXIT_DIVERGED;
  }

  const many = fleet.instances > 1;
  const failures = fleet.results.map((r) => failureLine(r, many)).filter((line) => line !== null);
  for (const line of failures.slice(0, MAX_FAILURES_SHOWN)) say(line);
  if (failures.length > MAX_FAILURES_SHOWN) say(`… and ${failures.length - MAX_FAILURES_SHOWN} more failed instances`);

  const first = fleet.results[0].outcome;
  const state = showState(first.status === 'ok' ? first.state : null);
  if (command.json) {
    const summary = jsonSummary(fleet, state, failures[0] ?? null, chainFailed ? null : chainTarget);
    io.stdout(`${JSON.stringify(session === null ? summary : { ...summary, replay: { ok: true, matched: session.matched } })}\n`);
  } else if (!many) {
    if (state !== null) io.stdout(`${state.text}\n`);
    if (session !== null) io.stdout(`replay ok: ${session.matched} events matched\n`);
  } else {
    io.stdout(`${safeText(manifest.name)}: ${fleet.instances} instances: ${fleet.ok} ok, ${fleet.err} err, ${fleet.trap} trapped; `
      + `spawn ${fleet.spawnMs.toFixed(1)} ms, run ${fleet.runMs.toFixed(1)} ms, peak live ${fleet.peakLive} (cap ${fleet.maxLive})\n`);
  }
  // The run's outcome wins: trap (3) over err (1) over a failed chain write (2).
  return fleet.trap > 0 ? EXIT_TRAP : fleet.err > 0 ? EXIT_ERR : chainFailed ? EXIT_USAGE : EXIT_OK;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function existsNote(path: string): string {
  return existsSync(path) ? ' (the existing file is unchanged)' : '';
}

function jsonSummary(fleet: FleetResult, state: ReturnType<typeof showState>, error: string | null, eventsPath: string | null): object {
  return {
    ok: fleet.ok === fleet.instances,
    instances: fleet.instances,
    state: state?.text ?? null,
    stateEncoding: state?.encoding ?? null,
    error,
    outcomes: { ok: fleet.ok, err: fleet.err, trap: fleet.trap },
    mode: fleet.mode,
    maxLive: fleet.maxLive,
    peakLive: fleet.peakLive,
    prepareMs: round(fleet.prepareMs),
    spawnMs: round(fleet.spawnMs),
    runMs: round(fleet.runMs),
    events: eventsPath,
    failures: firstFailures(fleet),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    shards: [{ index: 0, first: 0, instances: fleet.instances, peakLive: fleet.peakLive, spawnMs: round(fleet.spawnMs), runMs: round(fleet.runMs), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), status: 'ok' }],
  };
}

/** The first MAX_FAILURES failures, in instance order, as --json lists them (the same list a sharded run gives). */
function firstFailures(fleet: FleetResult): Failure[] {
  const failures: Failure[] = [];
  for (const result of fleet.results) {
    if (failures.length === MAX_FAILURES) break;
    if (result.outcome.status !== 'ok') failures.push({ instance: result.instance, status: result.outcome.status, error: result.outcome.error });
  }
  return failures;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
