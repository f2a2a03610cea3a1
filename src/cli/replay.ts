// `run --replay <chain>`: the registry whose one handler serves the actor from
// the recording (src/replay), with the manifest's timing limits so recorded
// clamps can be checked. A chain path from a manifest's replay handler goes
// through here too.
import { effectiveLimits } from '../handler/config.ts';
import { HandlerRegistry } from '../handler/registry.ts';
import type { ActorManifest } from '../manifest/manifest.ts';
import { loadRecording, RecordingError } from '../replay/load.ts';
import { ReplayHandler } from '../replay/replay-handler.ts';
import { ReplaySession } from '../replay/session.ts';
import { replayJournal } from '../replay/wasi-journal.ts';
import { WasiHandler } from '../handler/wasi-handler.ts';
import type { ActorOutputSink } from '../handler/wasi-output.ts';
import type { RunCommand } from './args.ts';
import { readFileSync } from 'node:fs';
import type { Recording } from '../replay/recorded.ts';
import { sha256Of } from '../runtime/identity.ts';

/**
 * Throws a RecordingError (message starting with the path) when the chain cannot be read.
 * A wasi handler in the manifest is served too, its random draws and writes answered
 * from the recording (replay/wasi-journal.ts) and its output shown again on `output`.
 */
export function replayRegistry(chainPath: string, manifest: ActorManifest, output?: ActorOutputSink): { session: ReplaySession; registry: HandlerRegistry; origin: string } {
  const timing = manifest.handlers.find((h) => h.type === 'timing');
  const session = new ReplaySession(loadRecording(chainPath), timing === undefined ? null : effectiveLimits(timing.config, null));
  const registry = new HandlerRegistry();
  registry.register(new ReplayHandler(session));
  const wasi = manifest.handlers.find((h) => h.type === 'wasi');
  if (wasi !== undefined) registry.register(new WasiHandler(wasi.config, { output, journal: () => replayJournal(session, { showReplayed: true }) }));
  return { session, registry, origin: '--replay' };
}

/**
 * The replay a run asks for (`--replay`, or a manifest's replay handler), or null.
 * Throws a RecordingError naming the flag or field for an unreadable chain or a
 * flag that cannot go with a replay.
 */
export function replayFor(command: RunCommand, manifest: ActorManifest, output?: ActorOutputSink): ReturnType<typeof replayRegistry> | null {
  const specAt = manifest.handlers.findIndex((h) => h.type === 'replay');
  const spec = manifest.handlers[specAt];
  const chainPath = command.replay ?? (spec?.type === 'replay' ? spec.chain : null);
  if (chainPath === null) {
    if (command.replayAnyComponent) throw new RecordingError('--replay-any-component: only with a replay (--replay <chain>, or a replay handler in the manifest)');
    return null;
  }
  const origin = command.replay !== null ? '--replay' : `${manifest.path}: handler[${specAt}]`;
  const conflict = command.instances !== 1 ? 'replays one recorded instance; drop --instances'
    : command.clock !== 'real' ? 'the recording serves every clock reading; drop --clock' : null;
  if (conflict !== null) throw new RecordingError(`${origin}: ${conflict}`);
  let replay: ReturnType<typeof replayRegistry>;
  try {
    replay = replayRegistry(chainPath, manifest, output);
  } catch (error) {
    if (error instanceof RecordingError) throw new RecordingError(`${origin}: ${error.message}`);
    throw error;
  }
  const mismatch = componentMismatch(replay.session.recording, manifest);
  if (mismatch !== null && !command.replayAnyComponent) {
    replay.session.recording.close();
    throw new RecordingError(`${origin}: ${mismatch} (pass --replay-any-component to replay it anyway)`);
  }
  return { ...replay, origin };
}

/** Why the chain is not this manifest's component's, or null (it is, or the chain does not say: Theater's format, older chains). */
export function componentMismatch(recording: Recording, manifest: ActorManifest): string | null {
  const recorded = recording.identity?.component_sha256;
  if (recorded === undefined) return null;
  let actual: string;
  try {
    actual = sha256Of(readFileSync(manifest.component));
  } catch {
    return null; // the run itself reports an unreadable component
  }
  return recorded === actual ? null : `the chain was recorded from component sha256 ${recorded.slice(0, 12)}…, the manifest's ${manifest.component} is ${actual.slice(0, 12)}…`;
}
