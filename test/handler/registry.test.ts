import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type ActorContext, type Handler, HandlerRegistry, RegistryError } from '../../src/handler/registry.ts';

interface FakeLog {
  calls: string[];
}

function fake(name: string, provides: string[], log: FakeLog, options: { omit?: string; throwOnDispose?: boolean; throwOnInstantiate?: boolean } = {}): Handler {
  return {
    name,
    provides,
    instantiate(actor: ActorContext) {
      log.calls.push(`instantiate ${name} ${actor.actorId}`);
      if (options.throwOnInstantiate === true) throw new Error(`${name} failed`);
      const imports: Record<string, object> = {};
      for (const p of provides) {
        const key = p.split('@')[0];
        if (key !== options.omit) imports[key] = { owner: name, key };
      }
      return {
        imports,
        dispose() {
          log.calls.push(`dispose ${name}`);
          if (options.throwOnDispose === true) throw new Error(`${name} dispose failed`);
        },
      };
    },
  };
}

const TIMING = ['wasi:clocks/wall-clock@0.2.3', 'wasi:clocks/monotonic-clock@0.2.3', 'wasi:io/poll@0.2.3'];
const actor: ActorContext = { actorId: 'a1', events: null };

function registryError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.instance(error, RegistryError);
    return (error as Error).message;
  }
  throw new Error('expected a RegistryError');
}

const reg = suite('HandlerRegistry');

reg('register keeps order; a duplicate name is an error', () => {
  const log = { calls: [] };
  const registry = new HandlerRegistry();
  registry.register(fake('timing', TIMING, log));
  registry.register(fake('io', ['wasi:io/streams@0.2.3'], log));
  assert.equal(registry.handlers().map((h) => h.name), ['timing', 'io']);
  assert.is(registryError(() => registry.register(fake('timing', [], log))), 'handler "timing" is already registered');
});

reg('satisfiedImports: matches without version, reports the rest', () => {
  const log = { calls: [] };
  const registry = new HandlerRegistry();
  const timing = fake('timing', TIMING, log);
  registry.register(timing);
  const result = registry.satisfiedImports([
    'wasi:clocks/monotonic-clock@0.2.0',
    'wasi:clocks/wall-clock@0.2.3',
    'wasi:io/poll@0.2.1',
    'wasi:clocks/monotonic-clock@1.0.0',
    'wasi:io/poll@0.3.0',
    'wasi:cli/environment@0.2.3',
  ]);
  assert.equal(result.satisfied.map((s) => [s.import, s.key, s.handler.name]), [
    ['wasi:clocks/monotonic-clock@0.2.0', 'wasi:clocks/monotonic-clock', 'timing'],
    ['wasi:clocks/wall-clock@0.2.3', 'wasi:clocks/wall-clock', 'timing'],
    ['wasi:io/poll@0.2.1', 'wasi:io/poll', 'timing'],
  ]);
  assert.equal(result.unsatisfied, ['wasi:clocks/monotonic-clock@1.0.0', 'wasi:io/poll@0.3.0', 'wasi:cli/environment@0.2.3']);
  assert.equal(log.calls, []);
});

reg('satisfiedImports: the first registered handler wins', () => {
  const log = { calls: [] };
  const registry = new HandlerRegistry();
  registry.register(fake('timing', TIMING, log));
  registry.register(fake('io', ['wasi:io/poll@0.2.3', 'wasi:io/streams@0.2.3'], log));
  const names = registry.satisfiedImports(['wasi:io/poll@0.2.3', 'wasi:io/streams@0.2.3']).satisfied.map((s) => s.handler.name);
  assert.equal(names, ['timing', 'io']);
});

reg('buildImports: instantiates only needed handlers, copies only chosen keys', () => {
  const log: FakeLog = { calls: [] };
  const registry = new HandlerRegistry();
  registry.register(fake('unused', ['wasi:random/random@0.2.3'], log));
  registry.register(fake('timing', TIMING, log));
  registry.register(fake('io', ['wasi:io/poll@0.2.3', 'wasi:io/streams@0.2.3'], log));
  const built = registry.buildImports(['wasi:io/streams@0.2.0', 'wasi:clocks/monotonic-clock@0.2.0', 'wasi:io/poll@0.2.0'], actor);
  assert.equal(built.imports, {
    'wasi:clocks/monotonic-clock': { owner: 'timing', key: 'wasi:clocks/monotonic-clock' },
    'wasi:io/poll': { owner: 'timing', key: 'wasi:io/poll' },
    'wasi:io/streams': { owner: 'io', key: 'wasi:io/streams' },
  });
  assert.equal(built.handlers, ['timing', 'io']);
  assert.equal(built.unsatisfied, []);
  built.dispose();
  built.dispose();
  assert.equal(log.calls, ['instantiate timing a1', 'instantiate io a1', 'dispose timing', 'dispose io']);
});

reg('buildImports: one import list resolves once; registering a handler resolves it again', () => {
  const log: FakeLog = { calls: [] };
  const registry = new HandlerRegistry();
  registry.register(fake('timing', TIMING, log));
  const list = ['wasi:io/poll@0.2.3', 'wasi:io/streams@0.2.3'];
  const first = registry.buildImports(list, actor, { allowUnsatisfied: true });
  assert.equal(first.unsatisfied, ['wasi:io/streams@0.2.3']);
  first.unsatisfied.push('changed by the caller'); // the cached plan is not the caller's array
  assert.equal(registry.buildImports(list, actor, { allowUnsatisfied: true }).unsatisfied, ['wasi:io/streams@0.2.3']);
  registry.register(fake('io', ['wasi:io/streams@0.2.3'], log));
  const again = registry.buildImports(list, actor);
  assert.equal(again.unsatisfied, []);
  assert.equal(again.handlers, ['timing', 'io']);
});

reg('buildImports: unsatisfied imports throw unless allowed', () => {
  const log: FakeLog = { calls: [] };
  const registry = new HandlerRegistry();
  assert.is(registryError(() => registry.buildImports(['wasi:io/poll@0.2.3'], actor)), 'no registered handler provides wasi:io/poll@0.2.3 (registered: none)');
  registry.register(fake('timing', TIMING, log));
  assert.is(
    registryError(() => registry.buildImports(['wasi:cli/stdout@0.2.3', 'wasi:io/poll@0.2.3'], actor)),
    `no registered handler provides wasi:cli/stdout@0.2.3 (registered: timing [${TIMING.join(', ')}]); `
      + 'the wasi:cli, io, random, filesystem and sockets imports are served by [[handler]] type = "wasi"',
  );
  assert.equal(log.calls, []);
  const built = registry.buildImports(['wasi:cli/stdout@0.2.3', 'wasi:io/poll@0.2.3'], actor, { allowUnsatisfied: true });
  assert.equal(Object.keys(built.imports), ['wasi:io/poll']);
  assert.equal(built.unsatisfied, ['wasi:cli/stdout@0.2.3']);
});

reg('buildImports: an empty import list instantiates nothing', () => {
  const log: FakeLog = { calls: [] };
  const registry = new HandlerRegistry();
  registry.register(fake('timing', TIMING, log));
  const built = registry.buildImports([], actor);
  assert.equal([built.imports, built.handlers, log.calls], [{}, [], []]);
});

reg('buildImports: one jco key claimed by two handlers is a conflict', () => {
  const log: FakeLog = { calls: [] };
  const registry = new HandlerRegistry();
  registry.register(fake('old', ['wasi:io/poll@0.1.0'], log));
  registry.register(fake('new', ['wasi:io/poll@0.2.3'], log));
  assert.is(
    registryError(() => registry.buildImports(['wasi:io/poll@0.1.0', 'wasi:io/poll@0.2.3'], actor)),
    'import key "wasi:io/poll" is claimed by handler "old" (for wasi:io/poll@0.1.0) and "new" (for wasi:io/poll@0.2.3)',
  );
  assert.equal(log.calls, []);
  const same = registry.buildImports(['wasi:io/poll@0.2.0', 'wasi:io/poll@0.2.3'], actor);
  assert.equal(same.handlers, ['new']);
});

reg('buildImports: a handler missing a declared key fails and disposes what it built', () => {
  const log: FakeLog = { calls: [] };
  const registry = new HandlerRegistry();
  registry.register(fake('io', ['wasi:io/streams@0.2.3'], log));
  registry.register(fake('timing', TIMING, log, { omit: 'wasi:io/poll' }));
  assert.is(
    registryError(() => registry.buildImports(['wasi:io/streams@0.2.3', 'wasi:io/poll@0.2.3'], actor)),
    'handler "timing" declares wasi:io/poll but its instance does not provide it',
  );
  assert.equal(log.calls, ['instantiate io a1', 'instantiate timing a1', 'dispose io', 'dispose timing']);
});

reg('buildImports: an instantiate error propagates after disposing earlier instances, even if dispose throws', () => {
  const log: FakeLog = { calls: [] };
  const registry = new HandlerRegistry();
  registry.register(fake('io', ['wasi:io/streams@0.2.3'], log, { throwOnDispose: true }));
  registry.register(fake('timing', TIMING, log, { throwOnInstantiate: true }));
  assert.throws(() => registry.buildImports(['wasi:io/streams@0.2.3', 'wasi:io/poll@0.2.3'], actor), /timing failed/);
  assert.equal(log.calls, ['instantiate io a1', 'instantiate timing a1', 'dispose io']);
});

reg('dispose: every instance is disposed, the first error is rethrown', () => {
  const log: FakeLog = { calls: [] };
  const registry = new HandlerRegistry();
  registry.register(fake('a', ['x:y/a@1.0.0'], log, { throwOnDispose: true }));
  registry.register(fake('b', ['x:y/b@1.0.0'], log, { throwOnDispose: true }));
  registry.register(fake('c', ['x:y/c@1.0.0'], log));
  const built = registry.buildImports(['x:y/a@1.2.0', 'x:y/b@1.0.0', 'x:y/c'], actor);
  assert.throws(() => built.dispose(), /a dispose failed/);
  assert.equal(log.calls.filter((c) => c.startsWith('dispose')), ['dispose a', 'dispose b', 'dispose c']);
});

reg.run();
