// Process entry of the theater-timing binary.
import { fileURLToPath } from 'node:url';
import { runCli } from './cli.ts';
import { sendNoJspiNoticeTo } from '../wasi/mode.ts';
import { sendCacheNoticeTo } from '../component/cache-folder.ts';
import { safeText } from '../base/text.ts';
import { applyFleetV8Flags } from '../runtime/gc-flags.ts';

// Before the first instance: when V8 collects follows the heap, not each 64 MiB of wasm memories.
applyFleetV8Flags();

// On a Node without JSPI, a run says so once, as one line of stderr.
sendNoJspiNoticeTo((line) => process.stderr.write(`theater-timing: ${line}\n`));
// A transpile cache folder others could write is not used: one line says why (cache-folder.ts).
sendCacheNoticeTo((line) => process.stderr.write(`theater-timing: ${safeText(line)}\n`));

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY === true,
  entry: fileURLToPath(import.meta.url), // in the bundle, the bundle itself
});
// Exit once everything is written, not when the loop drains: a drained loop first
// frees every instance's memory one by one (~25 µs each: 0.1 s for 5,000 sleepers,
// measured), which nothing needs. (Every part of a run is awaited by runCli.)
const written = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));
await Promise.all([written(process.stdout), written(process.stderr)]);
process.exit(code);
