// The end of a one-process run (run-single.ts): a replay's verdict, the first
// failures on stderr, the result on stdout (--json, the state, or a fleet's
// summary line), and the exit code.
import { peakRssMb } from './peak-rss.ts';
import type { ChainFile } from '../events/chain-file.ts';
import { jsonText, safeText } from '../base/text.ts';
import type { ActorManifest } from '../manifest/manifest.ts';
import type { FleetRecording, FleetResult, InstanceResult } from '../runtime/fleet.ts';
import type { TheaterRecording } from './theater-output.ts';
import type { RunCommand } from './args.ts';
import { EXIT_DIVERGED, EXIT_ERR, EXIT_OK, EXIT_TRAP, EXIT_USAGE, type CliIo } from './io.ts';
import type { replayFor } from './replay.ts';
import { showState } from './state-text.ts';
import { MAX_FAILURES, type Failure } from './summary.ts';

/** What a one-process run carries from one step to the next. */
export interface SingleRun {
  command: RunCommand;
  io: CliIo;
  /** One line on stderr, through safeText. */
  say: (text: string) => void;
  manifest: ActorManifest;
  replay: ReturnType<typeof replayFor>;
  /** JSON Lines: the chain file streamed into during the run. */
  file: ChainFile | null;
  /** Theater's format: the chain.json path (the pattern of the per-instance names). */
  theaterPath: string | null;
  /** The streamed recording (JSON Lines into `file`, or Theater's files), counting the events written. */
  recording: (FleetRecording & { events: number }) | TheaterRecording | undefined;
}

/** Failures shown on stderr for a fleet; the rest are counted. */
const MAX_FAILURES_SHOWN = 10;

function failureLine(result: InstanceResult, many: boolean): string | null {
  const { outcome } = result;
  if (outcome.status === 'ok') return null;
  const who = many ? `instance ${result.instance}: ` : '';
  return outcome.status === 'err' ? `${who}init returned err: ${outcome.error}` : `${who}trapped: ${outcome.error}`;
}

/** The replay's divergence at the end, the failures and the result; returns the exit code. */
export function reportSingle(run: SingleRun, fleet: FleetResult, chainWritten: boolean): number {
  const { command, io, say } = run;
  const session = run.replay?.session ?? null;
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
    const summary = jsonSummary(fleet, state, failures[0] ?? null, chainWritten ? run.file?.path ?? run.theaterPath : null);
    io.stdout(`${jsonText(session === null ? summary : { ...summary, replay: { ok: true, matched: session.matched } })}\n`);
  } else if (!many) {
    if (state !== null) io.stdout(`${state.text}\n`);
    if (session !== null) io.stdout(`replay ok: ${session.matched} events matched\n`);
  } else {
    io.stdout(`${safeText(run.manifest.name)}: ${fleet.instances} instances: ${fleet.ok} ok, ${fleet.err} err, ${fleet.trap} trapped; `
      + `spawn ${fleet.spawnMs.toFixed(1)} ms, run ${fleet.runMs.toFixed(1)} ms, peak live ${fleet.peakLive} (cap ${fleet.maxLive})\n`);
  }
  // The run's outcome wins: trap (3) over err (1) over a failed chain write (2).
  return fleet.trap > 0 ? EXIT_TRAP : fleet.err > 0 ? EXIT_ERR : chainWritten ? EXIT_OK : EXIT_USAGE;
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
    maxRssMb: Math.round(peakRssMb()),
    shards: [{ index: 0, first: 0, instances: fleet.instances, peakLive: fleet.peakLive, spawnMs: round(fleet.spawnMs), runMs: round(fleet.runMs), maxRssMb: Math.round(peakRssMb()), status: 'ok' }],
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
