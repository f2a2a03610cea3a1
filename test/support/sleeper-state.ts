// The sleeper test actor's state both ways: the u64 LE ns it is told to sleep, and
// the [before, after, duration] ns it returns, read as its lateness.
import type { InitOutcome } from '../../src/runtime/actor.ts';

export const sleepState = (ns: bigint): Uint8Array => {
  const state = new Uint8Array(8);
  new DataView(state.buffer).setBigUint64(0, ns, true);
  return state;
};

export function okState(outcome: InitOutcome): Uint8Array {
  if (outcome.status !== 'ok' || outcome.state === null) throw new Error(`expected ok with a state, got ${JSON.stringify(outcome)}`);
  return outcome.state;
}

/** The sleeper's lateness in ms, from its own readings [before, after, duration]. */
export function latenessMs(state: Uint8Array): number {
  const view = new DataView(state.buffer, state.byteOffset, state.byteLength);
  const [before, after, duration] = [0, 8, 16].map((at) => view.getBigUint64(at, true));
  return Number(after - before - duration) / 1e6;
}
