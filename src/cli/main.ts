// Process entry of the theater-timing binary.
import { fileURLToPath } from 'node:url';
import { runCli } from './cli.ts';

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY === true,
  entry: fileURLToPath(import.meta.url), // in the bundle, the bundle itself
});
process.exitCode = code;
