// The neutral form of a chain, which every input format is adapted to: one
// ActorChain per actor, each a list of timing calls in chain order. The model
// builder (build.ts) reads only this, so a new chain format needs one adapter
// file and nothing else. u64 clock values stay bigint: instants exceed 2^53.

export type Outcome = 'ok' | 'err' | 'trap' | 'diverged';

export type Call =
  | { kind: 'now'; instantNs: bigint }
  | { kind: 'wall'; seconds: bigint; nanoseconds: number }
  | { kind: 'resolution' }
  /** durationNs for subscribe-duration, whenNs for subscribe-instant. */
  | { kind: 'subscribe'; pollable: number; durationNs: bigint | null; whenNs: bigint | null; deadlineNs: bigint }
  | { kind: 'clamp'; requestedNs: bigint; appliedNs: bigint; reason: string }
  | { kind: 'ready'; pollable: number; ready: boolean }
  | { kind: 'block'; pollable: number; waitedNs: bigint | null }
  /** pollables: the handles passed, when the format records them; indices: positions that came back ready. */
  | { kind: 'poll'; pollables: number[] | null; indices: number[]; waitedNs: bigint | null }
  | { kind: 'drop'; pollable: number }
  | { kind: 'end'; outcome: Outcome; message: string }
  | { kind: 'other' };

export type FieldValue = string | number | boolean | null | readonly number[];

export interface ChainEvent {
  /** Position in its actor's chain (our `seq`, or the index in Theater's array). */
  index: number;
  /** 1-based line in the input file, when the format is line-based. */
  line: number | null;
  /** The event's own name in its format, e.g. `SubscribeDuration` or `wasi:io/poll@0.2.3/poll`. */
  type: string;
  /** The event's fields as recorded, shown on hover. */
  fields: Readonly<Record<string, FieldValue>>;
  call: Call;
}

export interface ActorChain {
  /** What the page calls the actor, e.g. `instance 17` or the file name. */
  label: string;
  instance: number | null;
  events: ChainEvent[];
}

export class TimelineInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimelineInputError';
  }
}
