// `run --replay <chain>`: the registry whose one handler serves the actor from
// the recording (src/replay), with the manifest's timing limits so recorded
// clamps can be checked. A chain path from a manifest's replay handler goes
// through here too.
import { effectiveLimits } from '../handler/config.ts';
import { HandlerRegistry } from '../handler/registry.ts';
import type { ActorManifest } from '../manifest/manifest.ts';
import { loadRecording } from '../replay/load.ts';
import { ReplayHandler } from '../replay/replay-handler.ts';
import { ReplaySession } from '../replay/session.ts';

/** Throws a RecordingError (message starting with the path) when the chain cannot be read. */
export function replayRegistry(chainPath: string, manifest: ActorManifest): { session: ReplaySession; registry: HandlerRegistry } {
  const timing = manifest.handlers.find((h) => h.type === 'timing');
  const session = new ReplaySession(loadRecording(chainPath), timing === undefined ? null : effectiveLimits(timing.config, null));
  const registry = new HandlerRegistry();
  registry.register(new ReplayHandler(session));
  return { session, registry };
}
