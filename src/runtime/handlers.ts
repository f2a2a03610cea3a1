// The handlers a manifest asks for, as a registry: one handler per served
// [[handler]] entry, in manifest order (registration order is priority).
//
// - timing: a TimingHandler with the entry's config, in the run's TimingRuntime.
// - replay: a ReplayHandler serving the recorded chain (src/replay) instead of a
//   clock; it takes the timing interfaces, so a timing entry beside it only
//   lends its limits (for checking recorded clamps).
// - wasi: a WasiHandler (the rest of WASI, deny by default) whose streams' pollables
//   come from the timing handler's hosts; actor output goes to `options.output`.
//   Under replay it has no timing host, and its random draws and writes are
//   answered from the recording (replay/wasi-journal.ts).
// - Theater's other handler types: known but not served (loadManifest warned);
//   an import only they would serve fails at spawn, naming the interface.
import { effectiveLimits } from '../handler/config.ts';
import { HandlerRegistry } from '../handler/registry.ts';
import { TimingHandler } from '../handler/timing-handler.ts';
import { WasiHandler } from '../handler/wasi-handler.ts';
import type { ActorOutputSink } from '../handler/wasi-output.ts';
import type { ActorManifest } from '../manifest/manifest.ts';
import { replayHandler } from '../replay/load.ts';
import type { ReplayHandler } from '../replay/replay-handler.ts';
import { replayJournal } from '../replay/wasi-journal.ts';
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
  const replaying = replay?.type === 'replay' ? replayHandler(replay.chain, timingSpec === undefined ? null : effectiveLimits(timingSpec.config, null)) : null;
  const journal = replaying === null ? undefined : () => replayJournal(replaying.session, { showReplayed: true });
  manifest.handlers.forEach((spec) => {
    switch (spec.type) {
      case 'timing':
        registry.register(timing ?? (replaying as ReplayHandler));
        break;
      case 'wasi':
        registry.register(new WasiHandler(spec.config, { output: options.output, timing, journal }));
        break;
      case 'replay':
        if (timingSpec === undefined) registry.register(replaying as ReplayHandler);
        break;
      default:
        break;
    }
  });
  return registry;
}
