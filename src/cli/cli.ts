// theater-timing: a thin shell over the runtime. `runCli` takes argv and an
// output sink and returns the exit code, so tests can drive it in-process;
// main.ts wires it to the real process. Exit codes: see io.ts.
import { readFile } from 'node:fs/promises';
import { formatTheaterSummary, looksLikeTheaterChain, verifyTheaterChain } from '../events/theater/verify.ts';
import { formatSummary, verifyChain } from '../events/verify.ts';
import { jcoVersion } from '../runtime/transpile.ts';
import pkg from '../../package.json' with { type: 'json' };
import { parseArgs, UsageError, USAGE } from './args.ts';
import { EXIT_ERR, EXIT_OK, EXIT_USAGE, type CliIo } from './io.ts';
import { run } from './run.ts';
import { timeline } from './timeline.ts';

export { showState } from './run.ts';
export { EXIT_ERR, EXIT_OK, EXIT_TRAP, EXIT_USAGE, type CliIo } from './io.ts';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let command;
  try {
    command = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`theater-timing: ${error.message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  switch (command.command) {
    case 'help':
      io.stdout(`${USAGE}\n`);
      return EXIT_OK;
    case 'version':
      io.stdout(`theater-timing ${pkg.version} (jco ${jcoVersion()}, node ${process.version})\n`);
      return EXIT_OK;
    case 'verify':
      return verify(command.file, io);
    case 'run':
      return run(command, io);
    case 'timeline':
      return timeline(command, io);
  }
}

async function verify(file: string, io: CliIo): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    io.stderr(`theater-timing: ${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`);
    return EXIT_USAGE;
  }
  // The formats differ from the first character: a JSON array is Theater's chain.json.
  if (looksLikeTheaterChain(text)) {
    const theater = verifyTheaterChain(text);
    (theater.ok ? io.stdout : io.stderr)(`${formatTheaterSummary(theater)}\n`);
    return theater.ok ? EXIT_OK : EXIT_ERR;
  }
  const result = verifyChain(text);
  (result.ok ? io.stdout : io.stderr)(`${formatSummary(result)}\n`);
  return result.ok ? EXIT_OK : EXIT_ERR;
}
