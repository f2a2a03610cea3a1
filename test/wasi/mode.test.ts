import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jspiMissing, noJspiNotice, noticeNoJspi, requireJspi, resolveMode, sendNoJspiNoticeTo } from '../../src/wasi/mode.ts';

const mode = suite('no-JSPI notice');

mode('the notice is one line with the version, the fallback and its cost', () => {
  const line = noJspiNotice('v20.20.2');
  assert.is(line, 'this Node (v20.20.2) has no JSPI; block/poll fall back to blocking the thread (actors sleep one after another). Use Node >= 24.21.');
  assert.not.match(line, /\n/);
  assert.match(noJspiNotice(), process.version);
});

mode('said once per sink, and never when JSPI is there', () => {
  const lines: string[] = [];
  const sink = (line: string) => lines.push(line);
  assert.is(noticeNoJspi(true, sink), false);
  assert.is(noticeNoJspi(false, sink), true);
  assert.is(noticeNoJspi(false, sink), false);
  assert.equal(lines, [noJspiNotice()]);
});

mode('resolveMode: auto without JSPI falls back to sync and says so once; sync asked for says nothing', () => {
  const lines: string[] = [];
  const sink = (line: string) => lines.push(line);
  assert.is(resolveMode('sync', false, sink), 'sync');
  assert.equal(lines, []);
  assert.is(resolveMode('auto', false, sink), 'sync');
  assert.is(resolveMode(undefined, false, sink), 'sync');
  assert.equal(lines, [noJspiNotice()]);
  assert.is(resolveMode('auto', true, sink), 'jspi');
  assert.is(lines.length, 1);
});

mode('the default sink can be moved (the CLI sends it to stderr)', () => {
  const lines: string[] = [];
  const previous = sendNoJspiNoticeTo((line) => lines.push(`cli: ${line}`));
  try {
    assert.is(resolveMode('auto', false), 'sync');
    assert.is(resolveMode('auto', false), 'sync');
    assert.equal(lines, [`cli: ${noJspiNotice()}`]);
  } finally {
    sendNoJspiNoticeTo(previous);
  }
});

mode('mode "jspi" without JSPI is a clear error, not a TypeError from the glue', () => {
  assert.throws(() => resolveMode('jspi', false), (error: unknown) => error instanceof Error && error.message === jspiMissing());
  assert.throws(() => requireJspi(false), /has no JSPI \(WebAssembly\.Suspending\): use Node >= 24\.21/);
  assert.match(jspiMissing('v20.20.2'), /^mode "jspi" was requested, but this Node \(v20\.20\.2\) has no JSPI/);
  requireJspi(true);
});

mode.run();
