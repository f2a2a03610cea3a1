// The handlers a manifest asks for, as a registry: one handler per served
// [[handler]] entry, in manifest order (registration order is priority).
//
// - timing: a TimingHandler with the entry's config, in the run's TimingRuntime.
// - replay: a ReplayHandler serving the recorded chain (src/replay) instead of a
//   clock; it takes the timing interfaces, so a timing entry beside it only
//   lends its limits (for checking recorded clamps).
// - Theater's other handler types: known but not served (loadManifest warned);
//   an import only they would serve fails at spawn, naming the interface.
import { effectiveLimits } from '../handler/config.ts';
import { HandlerRegistry } from '../handler/registry.ts';
import { TimingHandler } from '../handler/timing-handler.ts';
import type { ActorManifest } from '../manifest/manifest.ts';
import { replayHandler } from '../replay/load.ts';
import { TimingRuntime } from '../timing/timing-runtime.ts';
import type { ExecutionMode } from '../wasi/mode.ts';

export function registryFor(manifest: ActorManifest, mode: ExecutionMode, runtime: TimingRuntime = new TimingRuntime()): HandlerRegistry {
  const registry = new HandlerRegistry({ thread: runtime.thread });
  const replay = manifest.handlers.find((spec) => spec.type === 'replay');
  manifest.handlers.forEach((spec) => {
    switch (spec.type) {
      case 'timing':
        if (replay === undefined) registry.register(new TimingHandler(spec.config, null, { mode, runtime }));
        else registry.register(replayHandler(replay.chain, effectiveLimits(spec.config, null)));
        break;
      case 'replay':
        if (!manifest.handlers.some((other) => other.type === 'timing')) registry.register(replayHandler(spec.chain));
        break;
      default:
        break;
    }
  });
  return registry;
}
