// `theater-timing run`: choose how many processes run the fleet
// (shard-plan.ts) and run it. Three shapes:
//   one process      --shards 1, a plan of one, or a replay: run-single.ts
//   shards           a plan of K > 1: K child processes (shard-parent.ts), their
//                    results and chains merged here
//   a slice          --shard-index i --shard-count K: only slice i here; its
//                    --json is the input of `theater-timing merge`
import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainWriteError, type ChainFile } from '../events/chain-file.ts';
import { mergeChainFiles, ChainMergeError } from '../events/merge-chains.ts';
import { safeText } from '../base/text.ts';
import { ManifestError, type ActorManifest } from '../manifest/manifest.ts';
import { prepareComponent } from '../runtime/fleet.ts';
import { defaultMaxLive } from '../runtime/limits.ts';
import { planShards, shardSlice } from '../runtime/shard-plan.ts';
import { resolveMode } from '../wasi/mode.ts';
import type { RunCommand } from './args.ts';
import { chainPath, ChainTargetError, checkChainTarget, openChainFile } from './chain-output.ts';
import { onInterrupt } from './interrupt.ts';
import { EXIT_USAGE, progress, type CliIo } from './io.ts';
import { runLocal } from './local-run.ts';
import { cliOutput } from './actor-output.ts';
import { runDurable } from './durable.ts';
import { report } from './report.ts';
import { loadRunManifest, runSingle } from './run-single.ts';
import { ShardReporter, type Send } from './shard-child.ts';
import { combine, lostReason, lostShard, refusal } from './shard-merge.ts';
import { runChildArgs, runShards, shardTimeoutMs, type Shard } from './shard-parent.ts';
import { showState } from './state-text.ts';
import { sha256Of } from '../runtime/identity.ts';
import type { RunSummary } from './summary.ts';

export { showState, shardTimeoutMs };

export async function run(command: RunCommand, io: CliIo): Promise<number> {
  const say = (text: string): void => io.stderr(`theater-timing: ${safeText(text)}\n`);
  const durable = command.durable !== null ? { dir: command.durable, manifest: loadRunManifest(command.manifest, say) } : durableByManifest(command);
  if (durable !== null) {
    if (durable.manifest === null) return EXIT_USAGE;
    for (const warning of durable.manifest.warnings) say(`warning: ${warning}`);
    return runDurable(command, durable.manifest, durable.dir, io);
  }
  const slice = command.shardIndex !== null && command.shardCount !== null;
  let count = 1;
  if (!slice && command.replay === null) {
    count = planShards({ instances: command.instances, maxLive: command.maxLive ?? defaultMaxLive(), parallelism: availableParallelism(), shards: command.shards }).count;
  }
  if (!slice && count === 1) return runSingle(command, io);
  if (command.ipc && process.send === undefined) {
    say('--shard-ipc: this process has no IPC channel (it is started by a sharded run)');
    return EXIT_USAGE;
  }
  const manifest = loadRunManifest(command.manifest, say);
  if (manifest === null) return EXIT_USAGE;
  // A manifest that replays a recording runs in one process: a recording is one actor's.
  if (!slice && manifest.handlers.some((h) => h.type === 'replay')) return runSingle(command, io);
  if (!command.ipc) for (const warning of manifest.warnings) say(`warning: ${warning}`);
  const theater = command.chainFormat === 'theater';
  const flag = command.events === null ? 'save_chain' : '--events';
  let timeoutMs: number;
  let eventsPath: string | null;
  try {
    timeoutMs = shardTimeoutMs(process.env);
    // A shard records only when its parent asks (--events); save_chain is the parent's to honour.
    eventsPath = command.ipc ? command.events : chainPath(command.events, manifest, theater ? '.chain.json' : '.events.jsonl');
    if (theater && eventsPath === null) throw new ChainTargetError('--chain-format theater: no chain to write: give --events <file>, or set save_chain = true in the manifest');
  } catch (error) {
    if (!(error instanceof RangeError || error instanceof ChainTargetError)) throw error;
    say(error.message);
    return EXIT_USAGE;
  }
  let summary: RunSummary;
  try {
    if (slice) {
      summary = await runSlice(manifest, command, eventsPath, io);
    } else {
      const sharded = await runSharded(manifest, command, count, eventsPath, timeoutMs, io);
      if (typeof sharded === 'string') {
        io.stderr(`${sharded}\n`);
        return EXIT_USAGE;
      }
      summary = sharded;
    }
  } catch (error) {
    if (error instanceof ChainWriteError || error instanceof ChainTargetError || error instanceof ChainMergeError) {
      say(`${flag}: ${error.message}`);
    } else if (error instanceof ManifestError) {
      say(error.message);
    } else {
      // The component cannot be transpiled or instantiated: it does not fit the manifest.
      say(`${manifest.path}: component: ${error instanceof Error ? error.message : String(error)}`);
    }
    return EXIT_USAGE;
  }
  if (command.ipc) return 0; // a shard reports to its parent, which reports for the run
  return report(summary, command, io);
}

/** The manifest's `durable = "<dir>"` key (not for a shard, which never runs durable). */
function durableByManifest(command: RunCommand): { dir: string; manifest: ActorManifest } | null {
  if (command.ipc) return null;
  const manifest = loadRunManifest(command.manifest, () => {});
  return manifest?.durable === undefined || manifest.durable === null ? null : { dir: manifest.durable, manifest };
}

async function runSlice(manifest: ActorManifest, command: RunCommand, eventsPath: string | null, io: CliIo): Promise<RunSummary> {
  const slice = shardSlice(command.instances, command.shardIndex as number, command.shardCount as number);
  // A shard forked by a parent on this machine, with more shards than cores: a wait on the
  // thread for a sub-ms deadline would take CPU from its siblings (scheduler/wait-budget.ts).
  const crowded = command.ipc && (command.shardCount as number) > availableParallelism();
  // A shard's actor output goes to its stdout, which its parent passes on (shard-parent.ts).
  const output = cliOutput(io, command.ipc ? 'stdout' : command.json ? 'stderr' : 'split');
  const options = { ...command, total: command.instances, first: slice.first, instances: slice.instances, eventsPath, shardIndex: slice.index, activeWait: !crowded && !command.coarseTimer, output };
  if (!command.ipc) {
    const summary = await runLocal(manifest, { ...options, onProgress: progress(manifest.name, io, slice.instances) });
    // For merge: slices of one fleet must run one component.
    return { ...summary, componentSha256: sha256Of(readFileSync(manifest.component)) };
  }
  const send = (process.send as Send).bind(process); // present: run() checked
  const orphaned = (): never => process.exit(EXIT_USAGE); // the parent is gone: nobody to report to
  process.once('disconnect', orphaned);
  const reporter = new ShardReporter(send);
  const startedAtMs = performance.timeOrigin + performance.now();
  try {
    const summary = await runLocal(manifest, { ...options, onSettled: reporter.settled });
    await reporter.finish(summary, startedAtMs);
    return summary;
  } finally {
    // Also on failure: an open channel would keep this process alive, silent, until the parent's timeout.
    reporter.stop();
    process.off('disconnect', orphaned);
    process.disconnect?.();
  }
}

async function runSharded(manifest: ActorManifest, command: RunCommand, count: number, eventsPath: string | null, timeoutMs: number, io: CliIo): Promise<RunSummary | string> {
  const startedAtMs = performance.timeOrigin + performance.now();
  const mode = resolveMode(command.mode);
  // The target is checked (and its temporary file opened) before any actor runs.
  const theater = command.chainFormat === 'theater';
  if (eventsPath !== null && theater) checkChainTarget(eventsPath, manifest, io.chainFs, { total: command.instances });
  const file = eventsPath !== null && !theater ? openChainFile(eventsPath, manifest, io.chainFs) : null;
  // Interrupted, the parent cleans up as one process does: its shards are stopped (each drops its own
  // temporary files), the temporary chain and the spool folder are removed, and it dies of the signal.
  const children: ChildProcess[] = [];
  let eventsDir: string | null = null;
  const stopListening = onInterrupt(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    file?.abort();
    if (eventsDir !== null) rmSync(eventsDir, { recursive: true, force: true });
  });
  try {
    eventsDir = file === null ? null : await mkdtemp(join(tmpdir(), 'theater-timing-shards-'));
    // Transpiled once here, so the shards find it in the disk cache instead of each running jco.
    await prepareComponent(manifest, mode);
    // Theater's format is one file per instance: each shard writes its own, in place.
    const events = eventsPath === null ? null : (index: number): string => (eventsDir === null ? eventsPath : join(eventsDir, `shard-${index}.jsonl`));
    const shards = await runShards({
      // The shards get the mode resolved here: they agree with it, and only this process says why it is sync.
      entry: io.entry ?? process.argv[1], total: command.instances, count, timeoutMs, json: command.json, events,
      args: (index) => runChildArgs({ ...command, mode }, index, count, events === null ? null : events(index)),
      onProgress: progress(manifest.name, io, command.instances), onChild: (child) => children.push(child),
    });
    const refused = refusal(shards);
    if (refused !== null) {
      file?.abort();
      return refused;
    }
    const base = { name: manifest.name, total: command.instances, mode, maxLive: command.maxLive ?? defaultMaxLive() };
    const parts = shards.map((shard) => (shard.summary !== null
      ? { summary: shard.summary, offsetMs: shard.startedAtMs - startedAtMs }
      : { summary: lostShard(shard, base, timeoutMs), offsetMs: 0 }));
    const summary = combine(parts, eventsPath);
    if (file !== null) {
      const reported = shards.filter((s) => s.summary !== null).map((s) => s.eventsPath as string);
      try {
        summary.eventLines = await mergeChainFiles(reported, file, command.instances, (instance) => lostChain(shards, instance, timeoutMs), eventsDir ?? undefined);
        file.commit();
      } catch (error) {
        // As in one process: the chain's failure is reported beside the run's outcome, never instead of it.
        if (!(error instanceof ChainWriteError || error instanceof ChainMergeError)) throw error;
        file.abort();
        summary.events = null;
        summary.chainError = `${command.events === null ? 'save_chain' : '--events'}: ${error.message}; the chain was not written`;
      }
    }
    return summary;
  } catch (error) {
    file?.abort();
    throw error;
  } finally {
    stopListening();
    if (eventsDir !== null) await rm(eventsDir, { recursive: true, force: true });
  }
}

/** The chain of an instance whose shard was lost: a lone ChainEnd with what is known of it, and why its events are gone. */
function lostChain(shards: readonly Shard[], instance: number, timeoutMs: number): { outcome: 'ok' | 'err' | 'trap'; message: string } | null {
  const shard = shards.find((s) => s.summary === null && instance >= s.slice.first && instance < s.slice.first + s.slice.instances);
  if (shard === undefined) return null;
  const reason = lostReason(shard, timeoutMs);
  if (shard.settled[instance - shard.slice.first] === 0) return { outcome: 'trap', message: reason };
  const failure = shard.failures.find((f) => f.instance === instance);
  const lost = `its events were lost: the ${reason.replace(/ before init settled.*$/, ' before writing them')}`;
  return failure === undefined ? { outcome: 'ok', message: lost } : { outcome: failure.status, message: `${failure.error}; ${lost}` };
}
