// The ActorIdentity record: what it carries (runtime/identity.ts), what verify
// checks (present first, its instance, its hashes), that chains without one
// still verify, and that the timeline names the actor from it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildChain, chainEnd, formatChainJsonl } from '../../src/events/chain.ts';
import type { TimingEvent } from '../../src/events/types.ts';
import { formatSummary, verifyChain } from '../../src/events/verify.ts';
import { canonicalJson, INLINE_STATE_BYTES, runIdentity, sha256Of, withInstance, type IdentityEvent } from '../../src/runtime/identity.ts';
import type { ActorManifest } from '../../src/manifest/manifest.ts';
import { fromJsonl } from '../../src/timeline/jsonl-adapter.ts';

const manifest: ActorManifest = {
  name: 'clocks', version: '0.2.0', component: '/x/a.wasm', init_state: { path: '/x/state.bin', bytes: Uint8Array.of(1, 2) }, save_chain: false, durable: null, hibernate_after: null,
  handlers: [{ type: 'timing', config: { max_sleep_duration: 10, min_sleep_duration: 1, max_pollables: 5, max_events: 0 } }], dir: '/x', path: '/x/m.toml', warnings: [],
};
const SHA = 'ab'.repeat(32);

test('the identity names the actor, component, config, limits, mode, clock and init state (inline, or by hash and source)', () => {
  const identity = runIdentity({ manifest, componentSha256: SHA, mode: 'jspi', clock: 'real', state: manifest.init_state?.bytes ?? null });
  assert.equal({ ...identity, handlers: undefined, limits: undefined }, {
    type: 'ActorIdentity', name: 'clocks', version: '0.2.0', instance: 0, component_sha256: SHA, handlers: undefined, limits: undefined, mode: 'jspi', clock: 'real',
    init_state_sha256: sha256Of(Uint8Array.of(1, 2)), init_state_source: 'init_state:/x/state.bin', init_state: '0102',
  });
  assert.is(identity.handlers, '[{"config":{"max_events":0,"max_pollables":5,"max_sleep_duration":10,"min_sleep_duration":1},"type":"timing"}]');
  assert.is(identity.limits, '{"maxNs":"10000000","max_events":0,"max_pollables":5,"max_sleep_duration":10,"minNs":"1000000","min_sleep_duration":1}');
  assert.is(withInstance(identity, 7).instance, 7);
  const big = new Uint8Array(INLINE_STATE_BYTES + 1);
  const byArgument = runIdentity({ manifest: { ...manifest, handlers: [] }, componentSha256: SHA, mode: 'sync', clock: 'virtual', state: big });
  assert.equal([byArgument.init_state, byArgument.init_state_source, byArgument.limits], ['', 'argument', '{}']);
  const none = runIdentity({ manifest, componentSha256: SHA, mode: 'jspi', clock: 'real', state: null, stateSource: 'none' });
  assert.equal([none.init_state_sha256, none.init_state_source], ['', 'none']);
  assert.is(canonicalJson({ b: [1, 2n, null], a: undefined, c: 'x' }), '{"b":[1,"2",null],"c":"x"}');
  assert.is(canonicalJson(undefined), 'null');
});

const identity: IdentityEvent = runIdentity({ manifest, componentSha256: SHA, mode: 'jspi', clock: 'real', state: null });
const chain = (events: TimingEvent[], instance?: number): string => formatChainJsonl(buildChain([...events, chainEnd(events, 'ok')]), { instance });

test('verify: the identity first names the actor; anywhere else, or malformed, the chain is invalid; an older chain still verifies', () => {
  const ok = verifyChain(chain([identity, { type: 'HandlerSetupStart' }]));
  assert.ok(ok.ok);
  assert.is(ok.chains[0].actor, 'clocks 0.2.0');
  assert.match(formatSummary(ok), /chain: 3 events, head [0-9a-f]{12}, actor clocks 0\.2\.0/);
  const old = verifyChain(chain([{ type: 'HandlerSetupStart' }]));
  assert.ok(old.ok, 'a chain from before identity records still verifies');
  assert.match(formatSummary(old), /no identity record \(an older chain\)/);
  const cases: Array<[TimingEvent[], RegExp]> = [
    [[{ type: 'HandlerSetupStart' }, identity], /ActorIdentity at seq 1: it must be the chain's first record/],
    [[{ ...identity, component_sha256: 'nope' }], /ActorIdentity\.component_sha256: expected a hex SHA-256/],
    [[{ ...identity, init_state_sha256: 'nope' }], /ActorIdentity\.init_state_sha256: expected "" or a hex SHA-256/],
  ];
  for (const [events, message] of cases) {
    const result = verifyChain(chain(events));
    assert.not.ok(result.ok);
    assert.match(result.firstError?.message ?? '', message);
  }
  const fleet = `{"fleet":{"instances":1}}\n${chain([withInstance(identity, 3)], 0)}`;
  assert.match(verifyChain(fleet).firstError?.message ?? '', /ActorIdentity\.instance is 3, but the line is tagged instance 0/);
});

test('the timeline names the actor from its identity record', () => {
  assert.is(fromJsonl(chain([identity]), 'one.jsonl')[0].label, 'clocks 0.2.0 (one.jsonl)');
  const fleet = `{"fleet":{"instances":1}}\n${chain([{ ...identity, version: '' }], 0)}`;
  assert.is(fromJsonl(fleet, 'f.jsonl')[0].label, 'instance 0: clocks');
});

test.run();
