// The handlers a manifest asks for, as a registry: one handler per served
// [[handler]] entry, in manifest order (registration order is priority).
//
// - timing: a TimingHandler with the entry's config, in the run's TimingRuntime.
// - replay: a ReplayHandler serving the recorded chain (src/replay) instead of a
//   clock; it takes the timing interfaces, so a timing entry beside it only
//   lends its limits (for checking recorded clamps).
// - wasi: a WasiHandler (the rest of WASI, deny by default) whose streams' pollables
//   come from the timing handler's hosts; actor output goes to `options.output`.
//   Under replay it has no timing host: a stream's subscribe() traps.
// - Theater's other handler types: known but not served (loadManifest warned);
//   an import only they would serve fails at spawn, naming the interface.
import { effectiveLimits } from '../handler/config.ts';
import { HandlerRegistry } from '../handler/registry.ts';
import { TimingHandler } from '../handler/timing-handler.ts';
import { WasiHandler } from '../handler/wasi-handler.ts';
import type { ActorOutputSink } from '../handler/wasi-output.ts';
import type { ActorManifest } from '../manifest/manifest.ts';
import { replayHandler } from '../replay/load.ts';
import { TimingRuntime } from '../timing/timing-runtime.ts';
import type { ExecutionMode } from '../wasi/mode.ts';

export interface RegistryOptions {
  /** Where a wasi handler sends its actors' stdout and stderr lines; default: nowhere. */
  output?: ActorOutputSink;
}

export function registryFor(manifest: ActorManifest, mode: ExecutionMode, runtime: TimingRuntime = new TimingRuntime(), options: RegistryOptions = {}): HandlerRegistry {
  const registry = new HandlerRegistry({ thread: runtime.thread });
  const replay = manifest.handlers.find((spec) => spec.type === 'replay');
  const timingSpec = manifest.handlers.find((spec) => spec.type === 'timing');
  const timing = replay === undefined && timingSpec !== undefined ? new TimingHandler(timingSpec.config, null, { mode, runtime }) : null;
  manifest.handlers.forEach((spec) => {
    switch (spec.type) {
      case 'timing':
        if (timing !== null) registry.register(timing);
        else registry.register(replayHandler((replay as { chain: string }).chain, effectiveLimits(spec.config, null)));
        break;
      case 'wasi':
        registry.register(new WasiHandler(spec.config, { output: options.output, timing }));
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
