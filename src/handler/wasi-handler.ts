// WasiHandler (`[[handler]] type = "wasi"`): the rest of WASI 0.2 besides
// timing, for an untrusted actor, denied by default.
//
//   served               wasi:cli/stdin (empty), stdout, stderr (captured: wasi-output.ts),
//                        terminal-* (no terminal), wasi:io/streams, wasi:io/error,
//                        wasi:random/random, insecure, insecure-seed (node:crypto)
//   granted by the table wasi:cli/environment.get-environment: only `env` (wasi-config.ts);
//                        without it the call traps naming the grant
//   denied               wasi:filesystem/*: no preopened directories (an empty list, not a
//                        trap: runtimes ask at start-up), so no file can be opened;
//                        wasi:sockets/*: every call that would make a
//                        network or a socket traps; wasi:cli/exit ends the actor
//                        (a trap saying so). Neither can be granted by this host.
//
// Written here rather than taken from preview2-shim: small, deterministic where
// WASI lets it be, no host access to forget, and its streams' subscribe() gives
// pollables of the actor's own timing host (wasi/external.ts), always ready, so
// wasi:io/poll from the timing handler serves them. Register the timing handler
// too (either order: the host is looked up when a pollable is asked for).
// These calls are not recorded in the event chain.
import { randomBytes } from 'node:crypto';
import { WasiTrap } from '../base/trap.ts';
import { externalPollable } from '../wasi/external.ts';
import type { Pollable } from '../wasi/poll.ts';
import type { ActorContext, Handler, HandlerInstance } from './registry.ts';
import type { TimingHandler } from './timing-handler.ts';
import { grantedEnvironment, parseWasiHandlerConfig, type WasiHandlerConfig } from './wasi-config.ts';
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
}

const GRANT_ENV = 'grant it with env = ["NAME", …] or env = { NAME = "value" } in the manifest\'s [[handler]] type = "wasi" table';
const NO_FILES = 'this host grants no filesystem';
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

  constructor(config: Partial<WasiHandlerConfig> = {}, options: WasiHandlerOptions = {}) {
    this.config = parseWasiHandlerConfig(config);
    this.#output = options.output ?? DISCARD_OUTPUT;
    this.#timing = options.timing ?? null;
    // Read once: every actor of this handler sees the same environment.
    this.#env = grantedEnvironment(this.config.env, options.hostEnv ?? process.env);
  }

  instantiate(actor: ActorContext): HandlerInstance {
    const capture = new OutputCapture(actor.actorId, this.config.max_output_bytes, this.#output);
    const timing = this.#timing;
    const ready = (): Pollable => {
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
      'wasi:cli/stdout': { getStdout: () => new OutputStream(capture, 'stdout', ready) },
      'wasi:cli/stderr': { getStderr: () => new OutputStream(capture, 'stderr', ready) },
      'wasi:cli/terminal-input': { TerminalInput: class TerminalInput {} },
      'wasi:cli/terminal-output': { TerminalOutput: class TerminalOutput {} },
      'wasi:cli/terminal-stdin': { getTerminalStdin: () => undefined },
      'wasi:cli/terminal-stdout': { getTerminalStdout: () => undefined },
      'wasi:cli/terminal-stderr': { getTerminalStderr: () => undefined },
      'wasi:io/streams': { InputStream, OutputStream },
      'wasi:io/error': { Error: IoError },
      'wasi:random/random': { getRandomBytes: randomBytesOf, getRandomU64: randomU64 },
      'wasi:random/insecure': { getInsecureRandomBytes: randomBytesOf, getInsecureRandomU64: randomU64 },
      'wasi:random/insecure-seed': { insecureSeed: (): [bigint, bigint] => [randomU64(), randomU64()] },
      // No preopened directories, so no path to open a file from. Not a trap: StarlingMonkey
      // asks for them on its first call, whatever the actor does. The rest is unreachable
      // without a descriptor, and traps if reached.
      'wasi:filesystem/preopens': { getDirectories: (): [] => [] },
      'wasi:filesystem/types': {
        Descriptor: deniedResource('descriptor', 'wasi:filesystem', NO_FILES),
        DirectoryEntryStream: deniedResource('directory-entry-stream', 'wasi:filesystem', NO_FILES),
        filesystemErrorCode: (): undefined => undefined,
      },
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
    return { imports, dispose: () => capture.end() };
  }
}

function randomBytesOf(len: bigint): Uint8Array {
  if (len > BigInt(MAX_RANDOM_BYTES)) throw new WasiTrap(`wasi:random: ${len} bytes asked at once (at most ${MAX_RANDOM_BYTES})`);
  const bytes = randomBytes(Number(len));
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function randomU64(): bigint {
  return randomBytes(8).readBigUInt64LE(0);
}
