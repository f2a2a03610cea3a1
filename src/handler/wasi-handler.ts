// WasiHandler (`[[handler]] type = "wasi"`): the rest of WASI 0.2 besides
// timing, for an untrusted actor, denied by default.
//
//   served               wasi:cli/stdin (empty), stdout, stderr (captured: wasi-output.ts),
//                        terminal-* (no terminal), wasi:io/streams, wasi:io/error,
//                        wasi:random/random, insecure, insecure-seed (node:crypto)
//   granted by the table wasi:cli/environment.get-environment: only `env` (wasi-config.ts);
//                        without it the call traps naming the grant
//   denied               wasi:filesystem/*: one preopen, "/", on which every operation
//                        traps naming the capability (wasi-filesystem.ts);
//                        wasi:sockets/*: every call that would make a
//                        network or a socket traps; wasi:cli/exit ends the actor
//                        (a trap saying so). Neither can be granted by this host.
//
// Written here rather than taken from preview2-shim: small, deterministic where
// WASI lets it be, no host access to forget, and its streams' subscribe() gives
// pollables of the actor's own timing host (wasi/external.ts), always ready, so
// wasi:io/poll from the timing handler serves them. Register the timing handler
// too (either order: the host is looked up when a pollable is asked for).
// When the actor's chain is recorded, random draws and stdout/stderr writes are
// recorded too, and a replay answers them from it (wasi-journal.ts); then a
// stream's subscribe() traps, because its pollable could not be replayed.
import { randomBytes } from 'node:crypto';
import { WasiTrap } from '../base/trap.ts';
import { externalPollable } from '../wasi/external.ts';
import type { Pollable } from '../wasi/poll.ts';
import type { ActorContext, Handler, HandlerInstance } from './registry.ts';
import type { TimingHandler } from './timing-handler.ts';
import { DEFAULT_TIMING_CONFIG } from './config.ts';
import { budgeted } from './event-budget.ts';
import { deniedFilesystem } from './wasi-filesystem.ts';
import { grantedEnvironment, parseWasiHandlerConfig, type WasiHandlerConfig } from './wasi-config.ts';
import { fromHex, JournaledOutput, recordingJournal, toHex, type WasiJournal } from './wasi-journal.ts';
import { DISCARD_OUTPUT, OutputCapture, type ActorOutputSink } from './wasi-output.ts';
import { InputStream, IoError, OutputStream } from './wasi-streams.ts';

const V = '@0.2.3';
export const WASI_CLI_INTERFACES = [
  'wasi:cli/environment', 'wasi:cli/exit', 'wasi:cli/stdin', 'wasi:cli/stdout', 'wasi:cli/stderr',
  'wasi:cli/terminal-input', 'wasi:cli/terminal-output', 'wasi:cli/terminal-stdin', 'wasi:cli/terminal-stdout', 'wasi:cli/terminal-stderr',
  'wasi:io/streams', 'wasi:io/error',
  'wasi:random/random', 'wasi:random/insecure', 'wasi:random/insecure-seed',
  'wasi:filesystem/types', 'wasi:filesystem/preopens',
  'wasi:sockets/network', 'wasi:sockets/instance-network', 'wasi:sockets/tcp', 'wasi:sockets/tcp-create-socket',
  'wasi:sockets/udp', 'wasi:sockets/udp-create-socket', 'wasi:sockets/ip-name-lookup',
].map((name) => `${name}${V}`);

/** The most bytes one get-random-bytes call may ask for (StarlingMonkey asks for at most 65 536). */
export const MAX_RANDOM_BYTES = 1 << 20;

export interface WasiHandlerOptions {
  /** Where the actors' stdout and stderr lines go; default: nowhere. */
  output?: ActorOutputSink;
  /** Whose timing hosts make the streams' pollables; without one, subscribe() traps. */
  timing?: TimingHandler | null;
  /** The host environment `env = ["NAME"]` copies from; default process.env. */
  hostEnv?: Readonly<Record<string, string | undefined>>;
  /** The journal of a replay (src/replay/wasi-journal.ts) for this actor; default: record to its events when they are on. */
  journal?: (actor: ActorContext) => WasiJournal;
}

const GRANT_ENV = 'grant it with env = ["NAME", …] or env = { NAME = "value" } in the manifest\'s [[handler]] type = "wasi" table';
const NO_SOCKETS = 'this host grants no network';

function notGranted(capability: string, how: string): never {
  throw new WasiTrap(`${capability} not granted (${how})`);
}

/** A resource class the guest can never hold: nothing here makes one. jco only tests `instanceof` against it. */
function deniedResource(name: string, capability: string, how: string): new () => object {
  return class {
    constructor() {
      notGranted(capability, `${how}: ${name}`);
    }
  };
}

export class WasiHandler implements Handler {
  readonly name = 'wasi';
  readonly provides: readonly string[] = WASI_CLI_INTERFACES;
  readonly config: WasiHandlerConfig;
  readonly #output: ActorOutputSink;
  readonly #timing: TimingHandler | null;
  readonly #env: Array<[string, string]> | null;
  readonly #journal: ((actor: ActorContext) => WasiJournal) | null;

  constructor(config: Partial<WasiHandlerConfig> = {}, options: WasiHandlerOptions = {}) {
    this.config = parseWasiHandlerConfig(config);
    this.#output = options.output ?? DISCARD_OUTPUT;
    this.#timing = options.timing ?? null;
    // Read once: every actor of this handler sees the same environment.
    this.#env = grantedEnvironment(this.config.env, options.hostEnv ?? process.env);
    this.#journal = options.journal ?? null;
  }

  instantiate(actor: ActorContext): HandlerInstance {
    const capture = new OutputCapture(actor.actorId, this.config.max_output_bytes, this.#output);
    // Its own budget of the timing handler's size: a guest drawing random numbers in a loop must not fill the disk either.
    const events = budgeted(actor.events, this.#timing?.config.max_events ?? DEFAULT_TIMING_CONFIG.max_events, actor.actorId);
    const journal = this.#journal?.(actor) ?? (events === null ? null : recordingJournal(events));
    const out = journal === null ? capture : new JournaledOutput(capture, journal);
    const timing = this.#timing;
    const ready = (): Pollable => {
      if (journal !== null) throw new WasiTrap('wasi:io/streams: subscribe is not served to an actor whose chain is recorded or replayed (its pollable could not be replayed); write with blocking-write-and-flush');
      const host = timing?.hostFor(actor.actorId);
      if (host === undefined) throw new WasiTrap('wasi:io/streams: subscribe needs the timing handler (add [[handler]] type = "timing")');
      const source = externalPollable(host);
      source.setReady();
      return source.pollable;
    };
    const env = this.#env;
    const imports: Record<string, object> = {
      'wasi:cli/environment': {
        getEnvironment: (): Array<[string, string]> => (env === null ? notGranted('wasi:cli/environment', GRANT_ENV) : env.map(([k, v]): [string, string] => [k, v])),
        getArguments: (): string[] => [],
        initialCwd: (): string | undefined => undefined,
      },
      'wasi:cli/exit': {
        exit(status: { tag: 'ok' | 'err' }): never {
          throw new WasiTrap(`wasi:cli/exit: the actor exited (status ${status?.tag === 'ok' ? 'ok' : 'err'}) instead of returning from its export`);
        },
        exitWithCode(code: number): never {
          throw new WasiTrap(`wasi:cli/exit: the actor exited (code ${code}) instead of returning from its export`);
        },
      },
      'wasi:cli/stdin': { getStdin: () => new InputStream(ready) },
      'wasi:cli/stdout': { getStdout: () => new OutputStream(out, 'stdout', ready) },
      'wasi:cli/stderr': { getStderr: () => new OutputStream(out, 'stderr', ready) },
      'wasi:cli/terminal-input': { TerminalInput: class TerminalInput {} },
      'wasi:cli/terminal-output': { TerminalOutput: class TerminalOutput {} },
      'wasi:cli/terminal-stdin': { getTerminalStdin: () => undefined },
      'wasi:cli/terminal-stdout': { getTerminalStdout: () => undefined },
      'wasi:cli/terminal-stderr': { getTerminalStderr: () => undefined },
      'wasi:io/streams': { InputStream, OutputStream },
      'wasi:io/error': { Error: IoError },
      ...randomImports(journal),
      ...deniedFilesystem(),
      'wasi:sockets/network': { Network: deniedResource('network', 'wasi:sockets', NO_SOCKETS) },
      'wasi:sockets/instance-network': { instanceNetwork: () => notGranted('wasi:sockets/instance-network', NO_SOCKETS) },
      'wasi:sockets/tcp': { TcpSocket: deniedResource('tcp-socket', 'wasi:sockets', NO_SOCKETS) },
      'wasi:sockets/tcp-create-socket': { createTcpSocket: () => notGranted('wasi:sockets/tcp-create-socket', NO_SOCKETS) },
      'wasi:sockets/udp': {
        UdpSocket: deniedResource('udp-socket', 'wasi:sockets', NO_SOCKETS),
        IncomingDatagramStream: deniedResource('incoming-datagram-stream', 'wasi:sockets', NO_SOCKETS),
        OutgoingDatagramStream: deniedResource('outgoing-datagram-stream', 'wasi:sockets', NO_SOCKETS),
      },
      'wasi:sockets/udp-create-socket': { createUdpSocket: () => notGranted('wasi:sockets/udp-create-socket', NO_SOCKETS) },
      'wasi:sockets/ip-name-lookup': {
        resolveAddresses: () => notGranted('wasi:sockets/ip-name-lookup', NO_SOCKETS),
        ResolveAddressStream: deniedResource('resolve-address-stream', 'wasi:sockets', NO_SOCKETS),
      },
    };
    // A hibernating actor is rebuilt later: its unfinished line and drop count carry over.
    return { imports, dispose: () => (journal?.suspended() ? undefined : capture.end()) };
  }
}

/** wasi:random/*: drawn from node:crypto, through the journal when the chain is recorded or replayed. */
function randomImports(journal: WasiJournal | null): Record<string, object> {
  const bytes = (source: string) => (len: bigint): Uint8Array => {
    if (journal === null) return randomBytesOf(len);
    checkLength(len);
    const probe = { type: 'RandomBytes' as const, source, len, bytes: '' };
    return fromHex(journal.take(probe, () => ({ ...probe, bytes: toHex(randomBytesOf(len)) })).event.bytes);
  };
  const u64 = (source: string) => (): bigint => {
    if (journal === null) return randomU64();
    const probe = { type: 'RandomU64' as const, source, value: 0n };
    return journal.take(probe, () => ({ ...probe, value: randomU64() })).event.value;
  };
  const seed = (): [bigint, bigint] => {
    if (journal === null) return [randomU64(), randomU64()];
    const probe = { type: 'InsecureSeed' as const, low: 0n, high: 0n };
    const { event } = journal.take(probe, () => ({ ...probe, low: randomU64(), high: randomU64() }));
    return [event.low, event.high];
  };
  return {
    'wasi:random/random': { getRandomBytes: bytes('random'), getRandomU64: u64('random') },
    'wasi:random/insecure': { getInsecureRandomBytes: bytes('insecure'), getInsecureRandomU64: u64('insecure') },
    'wasi:random/insecure-seed': { insecureSeed: seed },
  };
}

function checkLength(len: bigint): void {
  if (len > BigInt(MAX_RANDOM_BYTES)) throw new WasiTrap(`wasi:random: ${len} bytes asked at once (at most ${MAX_RANDOM_BYTES})`);
}

function randomBytesOf(len: bigint): Uint8Array {
  checkLength(len);
  const bytes = randomBytes(Number(len));
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function randomU64(): bigint {
  return randomBytes(8).readBigUInt64LE(0);
}
