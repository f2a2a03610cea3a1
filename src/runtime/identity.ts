// The ActorIdentity record: the first event of every chain we write, naming
// what the chain is the chain of. Built once per run (all but `instance`), so a
// fleet of 100 000 pays one SHA-256 of the component and of the state.
import { createHash } from 'node:crypto';
import type { TimingEvent } from '../events/types.ts';
import { effectiveLimits } from '../handler/config.ts';
import type { ActorManifest } from '../manifest/manifest.ts';

export type IdentityEvent = Extract<TimingEvent, { type: 'ActorIdentity' }>;

/** States up to this size are carried in the record itself (as hex); larger ones by hash and source only. */
export const INLINE_STATE_BYTES = 4096;

export const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** JSON with object keys sorted at every level: the same config always gives the same text (and hash). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().filter((k) => record[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  return JSON.stringify(value) ?? 'null';
}

export interface IdentityInput {
  manifest: ActorManifest;
  componentSha256: string;
  mode: string;
  clock: string;
  state: Uint8Array | null;
  /** Where the state came from: "none", "--state", "init_state:<path>"…; default: guessed from the manifest. */
  stateSource?: string;
}

/** The identity of every instance of a run; `instance` is set per actor by withInstance. */
export function runIdentity(input: IdentityInput): IdentityEvent {
  const { manifest, state } = input;
  const timing = manifest.handlers.find((h) => h.type === 'timing');
  const source = input.stateSource
    ?? (state === null ? 'none' : manifest.init_state !== null && state === manifest.init_state.bytes ? `init_state:${manifest.init_state.path}` : 'argument');
  return {
    type: 'ActorIdentity',
    name: manifest.name,
    version: manifest.version,
    instance: 0,
    component_sha256: input.componentSha256,
    handlers: canonicalJson(manifest.handlers),
    limits: timing === undefined ? '{}' : canonicalJson({ ...timing.config, ...effectiveLimits(timing.config, null) }),
    mode: input.mode,
    clock: input.clock,
    init_state_sha256: state === null ? '' : sha256Of(state),
    init_state_source: source,
    init_state: state !== null && state.length <= INLINE_STATE_BYTES ? Buffer.from(state).toString('hex') : '',
  };
}

export const withInstance = (identity: IdentityEvent, instance: number): IdentityEvent => ({ ...identity, instance });
