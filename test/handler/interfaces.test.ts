import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { interfaceSatisfies, splitInterfaceName, versionsCompatible } from '../../src/handler/interfaces.ts';

const split = suite('splitInterfaceName');

split('versioned, unversioned and odd names', () => {
  assert.equal(splitInterfaceName('wasi:clocks/wall-clock@0.2.3'), { key: 'wasi:clocks/wall-clock', version: '0.2.3' });
  assert.equal(splitInterfaceName('wasi:clocks/wall-clock'), { key: 'wasi:clocks/wall-clock', version: null });
  assert.equal(splitInterfaceName('wasi:io/poll@0.3.0-rc-2025-09-16'), { key: 'wasi:io/poll', version: '0.3.0-rc-2025-09-16' });
  assert.equal(splitInterfaceName('@0.2.0'), { key: '@0.2.0', version: null });
});

split.run();

const compat = suite('versionsCompatible');

compat('0.x: same minor only', () => {
  assert.ok(versionsCompatible('0.2.0', '0.2.3'));
  assert.ok(versionsCompatible('0.2.9', '0.2.3'));
  assert.ok(versionsCompatible('0.2.3', '0.2.3'));
  assert.not.ok(versionsCompatible('0.1.9', '0.2.3'));
  assert.not.ok(versionsCompatible('0.3.0', '0.2.3'));
});

compat('>= 1: same major only', () => {
  assert.ok(versionsCompatible('1.0.0', '1.4.2'));
  assert.not.ok(versionsCompatible('1.0.0', '0.2.3'));
  assert.not.ok(versionsCompatible('2.0.0', '1.9.9'));
});

compat('pre-releases match only themselves; unversioned matches anything', () => {
  assert.ok(versionsCompatible('0.3.0-rc-1', '0.3.0-rc-1'));
  assert.not.ok(versionsCompatible('0.3.0-rc-1', '0.3.0'));
  assert.not.ok(versionsCompatible('0.3.0', '0.3.0-rc-1'));
  assert.not.ok(versionsCompatible('x', '0.2.3'));
  assert.ok(versionsCompatible(null, '0.2.3'));
  assert.ok(versionsCompatible('0.2.3', null));
});

compat.run();

const satisfies = suite('interfaceSatisfies');

satisfies('matches by name without version, within semver compatibility', () => {
  const provided = 'wasi:clocks/monotonic-clock@0.2.3';
  assert.ok(interfaceSatisfies('wasi:clocks/monotonic-clock@0.2.0', provided));
  assert.ok(interfaceSatisfies('wasi:clocks/monotonic-clock', provided));
  assert.not.ok(interfaceSatisfies('wasi:clocks/monotonic-clock@1.0.0', provided));
  assert.not.ok(interfaceSatisfies('wasi:clocks/monotonic-clock@0.3.0-rc-2025-09-16', provided));
  assert.not.ok(interfaceSatisfies('wasi:clocks/wall-clock@0.2.3', provided));
});

satisfies.run();
