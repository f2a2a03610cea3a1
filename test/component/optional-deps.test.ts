import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { importOptional, missingOptional, TRANSPILE_PACKAGES } from '../../src/component/optional-deps.ts';
import { installedJcoVersion, jcoVersion, readJcoVersion } from '../../src/component/transpile.ts';
import pkg from '../../package.json' with { type: 'json' };

const test = suite('optional dependencies (jco, binaryen)');

test('what to install is the pinned optional dependencies', () => {
  assert.is(TRANSPILE_PACKAGES, '@bytecodealliance/jco@1.11.2 binaryen@123.0.0 jco-transpile-p3@npm:@bytecodealliance/jco-transpile@0.15.0');
  assert.equal(Object.keys(pkg.optionalDependencies), ['@bytecodealliance/jco', 'binaryen', 'jco-transpile-p3']);
  assert.not.ok('@bytecodealliance/jco' in pkg.dependencies);
});

test('a missing one is one line that says what to install', async () => {
  const missing = Object.assign(new Error("Cannot find package 'binaryen'"), { code: 'ERR_MODULE_NOT_FOUND' });
  try {
    await importOptional('binaryen', () => Promise.reject(missing));
    assert.unreachable('resolved');
  } catch (error) {
    assert.instance(error, Error);
    const { message, cause } = error as Error;
    assert.is(message, missingOptional('binaryen').message);
    assert.match(message, /^transpiling a component needs binaryen, an optional dependency that is not installed .*: npm install @bytecodealliance\/jco@1\.11\.2 binaryen@123\.0\.0 jco-transpile-p3@npm:@bytecodealliance\/jco-transpile@0\.15\.0$/);
    assert.not.match(message, /\n/);
    assert.is(cause, missing);
  }
});

test('other failures pass through; a present module loads', async () => {
  const broken = new SyntaxError('bad module');
  try {
    await importOptional('binaryen', () => Promise.reject(broken));
    assert.unreachable('resolved');
  } catch (error) {
    assert.is(error, broken);
  }
  assert.is(await importOptional('x', () => Promise.resolve(7)), 7);
});

test('jco version: read from the installed jco, null where none is found', () => {
  assert.is(readJcoVersion((specifier) => import.meta.resolve(specifier)), '1.11.2');
  assert.is(readJcoVersion(() => { throw Object.assign(new Error('not found'), { code: 'ERR_MODULE_NOT_FOUND' }); }), null);
  assert.is(installedJcoVersion(), '1.11.2');
  assert.is(jcoVersion(), '1.11.2');
});

test.run();
