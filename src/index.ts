// Public API of theater-handler-timing. Everything a host needs, named
// explicitly: nothing internal leaks through a wildcard.

// Theater layer: the handler, its config and permissions, the registry.
export { TimingHandler, TIMING_INTERFACES, type TimingHandlerOptions, type TimingHandlerInstance } from './handler/timing-handler.ts';
export {
  ConfigError,
  DEFAULT_TIMING_CONFIG,
  checkPermissions,
  effectiveLimits,
  parseTimingHostConfig,
  parseTimingPermissions,
  type TimingHostConfig,
  type TimingLimitsConfig,
  type TimingPermissions,
} from './handler/config.ts';
export { EventBudget } from './handler/event-budget.ts';
export { clampSleep, delayUntil, type ClampResult, type TimingLimits } from './wasi/clamp.ts';
export {
  HandlerRegistry,
  RegistryError,
  type ActorContext,
  type BuiltImports,
  type Handler,
  type HandlerInstance,
  type ImportResolution,
  type SatisfiedImport,
} from './handler/registry.ts';
export { interfaceSatisfies, splitInterfaceName } from './handler/interfaces.ts';

// WASI adapters, for hosts that wire imports themselves.
export { TimingHost, DEFAULT_POLLABLE_QUOTA, FOREIGN_CHECK_MS, type TimingHostOptions, type ForeignPollable, type ForeignTimer } from './wasi/host.ts';
export { timingImports, monotonicClockImports, wallClockImports, pollImports, interfacesOf, type TimingImports, type TimingInterfaces } from './wasi/imports.ts';
export { Pollable, poll, isForeignPollable, FOREIGN_SLOT } from './wasi/poll.ts';
// Foreign pollables (another host's, e.g. preview2-shim's) in our poll.
export { registerForeignPoller, setForeignResolver, findPreview2Shim, preview2ShimPoller, type ForeignPoller, type Preview2ShimModules } from './wasi/foreign.ts';
// No silent non-sleep: what a guest whose glue did not await a wait is told.
export { NOT_AWAITED, JSPI_FLAGS } from './wasi/handoff.ts';
export { WasiTrap } from './base/trap.ts';
export { safeText } from './base/text.ts';
export { externalPollable, type PollableSource } from './wasi/external.ts';
// The `--map` drop-in (theater-handler-timing/wasi/clocks, /wasi/io): its one process-wide default.
export { defaultTiming, DefaultTiming, type DefaultTimingOptions } from './dropin/default-timing.ts';
export { jspiAvailable, resolveMode, type ExecutionMode } from './wasi/mode.ts';
export { PollableTable, StaleHandleError, MAX_LIVE_POLLABLES, type PollableTableOptions } from './pollables/table.ts';
export { TimeSource } from './clock/time-source.ts';
export { TimingRuntime, type TimingRuntimeOptions, type ClockKind, type Pollables } from './timing/timing-runtime.ts';
export { virtualRuntime, VirtualClock, VIRTUAL_START_NS, VIRTUAL_EPOCH_NS, type VirtualRuntimeOptions } from './timing/virtual.ts';
export { Scheduler, type SchedulerOptions } from './scheduler/scheduler.ts';
export { WaitBudget, PER_WAKE_MS, IDLE_SHARE, CAP_MS } from './scheduler/wait-budget.ts';
export { nodeTimer, type HostTimer, type MonotonicClock, type NodeTimerOptions } from './clock/clock.ts';
export { TimerWheel, ELAPSED } from './wheel/wheel.ts';

// Event chain.
export type { TimingEvent, TimingEventType, EventSink, ClampReason, ChainOutcome } from './events/types.ts';
export { EventRecorder } from './events/recorder.ts';
export { toWire, type WireEvent } from './events/wire.ts';
export {
  buildChain, chainEnd, chainLineText, fleetHeader, formatChainJsonl, parseChainJsonl, writeChainJsonl, writeChainsJsonl, hashEvent, type ChainLine,
} from './events/chain.ts';
export { ChainFile, ChainWriteError, type ChainFs } from './events/chain-file.ts';
export { ChainRecorder } from './events/chain-recorder.ts';
export { verifyChain, ChainVerifier, formatSummary, type VerifyResult, type ChainSummary } from './events/verify.ts';
export { verifyChainFile, MAX_LINE_BYTES } from './events/verify-file.ts';
export { formatTimeline } from './events/timeline.ts';

// Replay: serve an actor from a recorded chain (ours or Theater's chain.json).
export { loadRecording, parseRecording, replayHandler, RecordingError } from './replay/load.ts';
export { ReplayHandler, ReplayPollable } from './replay/replay-handler.ts';
export { ReplaySession, ReplayDivergence } from './replay/session.ts';
export type { Recording, RecordingInMemory, RecordedCall, RecordedEntry, RecordedOutcome } from './replay/recorded.ts';
// Theater's chain.json: write, read and verify it.
export { compactJson, jsonBytes, valueError, type TheaterValue } from './events/theater/values.ts';
export { parseJsonExact, type Json } from './base/exact-json.ts';
export { formatTheaterChain, hashedText, linkTheaterEvents, theaterEvent, theaterHash, type TheaterEvent } from './events/theater/event.ts';
export { buildTheaterChain, MAX_THEATER_STATE_BYTES, TheaterEncoder, theaterRecords, type TheaterOutcome, type TheaterRecord, type TheaterRun } from './events/theater/encode.ts';
export { TheaterChainRecorder } from './events/theater/recorder.ts';
export { formatTheaterSummary, looksLikeTheaterChain, TheaterChecker, verifyTheaterChain, verifyTheaterFile, type TheaterVerifyResult } from './events/theater/verify.ts';
export { theaterChainPath, writeTheaterChainFile } from './events/theater/file.ts';

// Timeline page: chains (ours or Theater's chain.json) to a model, the model to HTML.
export { buildTimeline, readChains, detectFormat, type ChainInput } from './timeline/build.ts';
export { renderTimeline } from './timeline/render.ts';
export { TimelineInputError, type ActorChain, type ChainEvent, type Call, type Outcome } from './timeline/calls.ts';
export type { TimelineModel, Lane, Bar, Mark, MarkKind, EventRef, FleetView } from './timeline/model.ts';

// Manifests and the actor runtime.
export {
  loadManifest,
  ManifestError,
  KNOWN_HANDLER_TYPES,
  THEATER_ONLY_HANDLER_TYPES,
  type ActorManifest,
  type HandlerSpec,
  type InitStateFile,
  type ReplayHandlerSpec,
  type TimingHandlerSpec,
  type UnservedHandlerSpec,
} from './manifest/manifest.ts';
export { Actor, trapMessage, type InitOutcome, type SpawnOptions } from './runtime/actor.ts';
export {
  runFleet, registryFor, runtimeFor, prepareComponent, type FleetOptions, type FleetRecording, type FleetResult, type InstanceResult,
} from './runtime/fleet.ts';
export { defaultMaxLive, MAX_INSTANCES } from './runtime/limits.ts';
export { planShards, shardSlice, MIN_INSTANCES_PER_CORE_SHARD, MAX_SHARDS, type ShardPlan, type ShardPlanInput, type ShardSlice } from './runtime/shard-plan.ts';
export { mergeChainFiles, ChainMergeError } from './events/merge-chains.ts';
export { transpileComponent, jcoVersion, type TranspiledComponent, type TranspileOptions, type InstanceOptions } from './component/transpile.ts';

// Fair sharing of the thread.
export { instrumentCoreModule, FUEL_PER_CHECK, type InstrumentReport } from './component/instrument.ts';
export { RunMeter } from './thread/run-meter.ts';
export { EventLoopSlice, SLICE_MS, type SliceOptions } from './thread/slice.ts';
export { Thread } from './thread/thread.ts';
export { Admission } from './thread/admission.ts';
