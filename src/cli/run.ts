// `theater-timing run`: load the manifest, run the fleet, write the chain,
// report on stdout/stderr, and choose the exit code.
import { join } from 'node:path';
import { buildChain, writeChainJsonl, writeChainsJsonl } from '../events/chain.ts';
import { ConfigError } from '../handler/config.ts';
import { loadManifest, ManifestError, type ActorManifest } from '../manifest/manifest.ts';
import { runFleet, type FleetResult, type InstanceResult } from '../runtime/fleet.ts';
import type { RunCommand } from './args.ts';
import { writeTheaterEvents } from './theater-output.ts';
import { EXIT_ERR, EXIT_OK, EXIT_TRAP, EXIT_USAGE, type CliIo } from './io.ts';

/** Failures shown on stderr for a fleet; the rest are counted. */
const MAX_FAILURES_SHOWN = 10;
const PROGRESS_EVERY_MS = 100;

/** The returned state as text when it is valid UTF-8, else as hex. */
export function showState(state: Uint8Array | null): { text: string; encoding: 'utf8' | 'hex' } | null {
  if (state === null) return null;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(state), encoding: 'utf8' };
  } catch {
    return { text: Buffer.from(state).toString('hex'), encoding: 'hex' };
  }
}

function failureLine(result: InstanceResult, many: boolean): string | null {
  const { outcome } = result;
  if (outcome.status === 'ok') return null;
  const who = many ? `instance ${result.instance}: ` : '';
  return outcome.status === 'err' ? `${who}init returned err: ${outcome.error}` : `${who}trapped: ${outcome.error}`;
}

export async function run(command: RunCommand, io: CliIo): Promise<number> {
  let manifest: ActorManifest;
  try {
    manifest = loadManifest(command.manifest);
  } catch (error) {
    if (error instanceof ManifestError || error instanceof ConfigError) {
      io.stderr(`theater-timing: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  for (const warning of manifest.warnings) io.stderr(`theater-timing: warning: ${warning}\n`);
  const savedName = command.chainFormat === 'theater' ? `${manifest.name}.chain.json` : `${manifest.name}.events.jsonl`;
  const eventsPath = command.events ?? (manifest.save_chain ? join(manifest.dir, savedName) : null);
  if (command.chainFormat === 'theater' && eventsPath === null) {
    io.stderr('theater-timing: --chain-format theater: no chain to write: give --events <file>, or set save_chain = true in the manifest\n');
    return EXIT_USAGE;
  }

  let lastProgress = 0;
  const onProgress = io.isTTY && command.instances > 1
    ? (settled: number, total: number): void => {
      const now = Date.now();
      if (settled < total && now - lastProgress < PROGRESS_EVERY_MS) return;
      lastProgress = now;
      io.stderr(`\r${manifest.name}: ${settled}/${total} settled${settled === total ? '\n' : ''}`);
    }
    : undefined;

  let fleet: FleetResult;
  try {
    fleet = await runFleet(manifest, {
      instances: command.instances,
      maxLive: command.maxLive ?? undefined,
      mode: command.mode,
      record: eventsPath !== null,
      state: command.state,
      onProgress,
    });
  } catch (error) {
    if (error instanceof ManifestError) {
      io.stderr(`theater-timing: ${error.message}\n`);
      return EXIT_USAGE;
    }
    // The component cannot be transpiled or instantiated: it does not fit the manifest.
    io.stderr(`theater-timing: ${manifest.path}: component: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_USAGE;
  }

  if (eventsPath !== null) {
    try {
      await (command.chainFormat === 'theater' ? writeTheaterEvents(eventsPath, fleet, io) : writeEvents(eventsPath, fleet, io));
    } catch (error) {
      io.stderr(`theater-timing: ${command.events === null ? 'save_chain' : '--events'}: cannot write ${eventsPath} (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`);
      return EXIT_USAGE;
    }
  }

  const many = fleet.instances > 1;
  const failures = fleet.results.map((r) => failureLine(r, many)).filter((line) => line !== null);
  for (const line of failures.slice(0, MAX_FAILURES_SHOWN)) io.stderr(`theater-timing: ${line}\n`);
  if (failures.length > MAX_FAILURES_SHOWN) io.stderr(`theater-timing: … and ${failures.length - MAX_FAILURES_SHOWN} more failed instances\n`);

  const first = fleet.results[0].outcome;
  const state = showState(first.status === 'ok' ? first.state : null);
  if (command.json) {
    io.stdout(`${JSON.stringify(jsonSummary(fleet, state, failures[0] ?? null, eventsPath))}\n`);
  } else if (!many) {
    if (state !== null) io.stdout(`${state.text}\n`);
  } else {
    io.stdout(`${manifest.name}: ${fleet.instances} instances: ${fleet.ok} ok, ${fleet.err} err, ${fleet.trap} trapped; `
      + `spawn ${fleet.spawnMs.toFixed(1)} ms, run ${fleet.runMs.toFixed(1)} ms, peak live ${fleet.peakLive} (cap ${fleet.maxLive})\n`);
  }
  return fleet.trap > 0 ? EXIT_TRAP : fleet.err > 0 ? EXIT_ERR : EXIT_OK;
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
  };
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

async function writeEvents(path: string, fleet: FleetResult, io: CliIo): Promise<void> {
  const { results } = fleet;
  if (results.length === 1) {
    await writeChainJsonl(path, buildChain(results[0].events));
  } else {
    await writeChainsJsonl(path, results.map((r) => ({ instance: r.instance, lines: buildChain(r.events) })));
  }
  const lines = results.reduce((sum, r) => sum + r.events.length, 0);
  io.stderr(`theater-timing: wrote ${lines} events (${results.length} chain${results.length === 1 ? '' : 's'}) to ${path}\n`);
}
