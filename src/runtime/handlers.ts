// The handlers a manifest asks for, as a registry: one handler per served
// [[handler]] entry, in manifest order (registration order is priority).
//
// - timing: a TimingHandler with the entry's config, in the run's TimingRuntime.
// - replay: refused here, and only here: this build does not serve it. A build
//   that replays recorded chains registers its handler in this case instead.
// - Theater's other handler types: known but not served (loadManifest warned);
//   an import only they would serve fails at spawn, naming the interface.
import { HandlerRegistry } from '../handler/registry.ts';
import { TimingHandler } from '../handler/timing-handler.ts';
import { ManifestError, type ActorManifest } from '../manifest/manifest.ts';
import { TimingRuntime } from '../time/timing-runtime.ts';
import type { ExecutionMode } from '../wasi/mode.ts';

export function registryFor(manifest: ActorManifest, mode: ExecutionMode, runtime: TimingRuntime = new TimingRuntime()): HandlerRegistry {
  const registry = new HandlerRegistry();
  manifest.handlers.forEach((spec, index) => {
    switch (spec.type) {
      case 'timing':
        registry.register(new TimingHandler(spec.config, null, { mode, runtime }));
        break;
      case 'replay':
        throw new ManifestError(manifest.path, `handler[${index}]`, `replay handler: not served by this build (chain ${JSON.stringify(spec.chain)})`);
      default:
        break;
    }
  });
  return registry;
}
