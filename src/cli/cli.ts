// theater-timing: a thin shell over the runtime. `runCli` takes argv and an
// output sink and returns the exit code, so tests can drive it in-process;
// main.ts wires it to the real process. Exit codes: see io.ts.
import { open } from 'node:fs/promises';
import { formatTheaterSummary, looksLikeTheaterChain, verifyTheaterFile } from '../events/theater/verify.ts';
import { verifyChainFile } from '../events/verify-file.ts';
import { formatSummary } from '../events/verify.ts';
import { safeText } from '../base/text.ts';
import { installedJcoVersion } from '../component/transpile.ts';
import pkg from '../../package.json' with { type: 'json' };
import { parseArgs, UsageError } from './args.ts';
import { commandHelp, overview, seeLine } from './help.ts';
import { EXIT_ERR, EXIT_OK, EXIT_USAGE, type CliIo } from './io.ts';
import { merge } from './merge.ts';
import { run } from './run.ts';
import { resumeRun } from './durable.ts';
import { timeline } from './timeline.ts';

export { showState } from './run.ts';
export { EXIT_DIVERGED, EXIT_ERR, EXIT_OK, EXIT_TRAP, EXIT_USAGE, type CliIo } from './io.ts';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let command;
  try {
    command = parseArgs(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // One line naming the problem, one saying where the right invocation is described.
    io.stderr(`theater-timing: ${error.message}\n${seeLine(argv[0])}\n`);
    return EXIT_USAGE;
  }
  switch (command.command) {
    case 'help':
      io.stdout(`${command.topic === null ? overview() : commandHelp(command.topic)}\n`);
      return EXIT_OK;
    case 'version':
      io.stdout(`theater-timing ${pkg.version} (jco ${installedJcoVersion() ?? 'not installed'}, node ${process.version})\n`);
      return EXIT_OK;
    case 'verify':
      return verify(command.file, io);
    case 'run':
      return run(command, io);
    case 'resume':
      return resumeRun(command, io);
    case 'merge':
      return merge(command, io);
    case 'timeline':
      return timeline(command, io);
  }
}

/** The first bytes of a file: enough to tell Theater's chain.json (a JSON array) from our JSON Lines. */
async function head(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(256), 0, 256, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

async function verify(file: string, io: CliIo): Promise<number> {
  const cannotRead = (error: unknown): number => {
    io.stderr(`theater-timing: ${safeText(file)}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`);
    return EXIT_USAGE;
  };
  const say = (ok: boolean, summary: string): void => (ok ? io.stdout : io.stderr)(`${summary.split('\n').map(safeText).join('\n')}\n`);
  try {
    // The formats differ from the first character: a JSON array is Theater's chain.json, anything else
    // our JSON Lines; both are verified as a stream, in constant memory.
    if (looksLikeTheaterChain(await head(file))) {
      const theater = verifyTheaterFile(file);
      say(theater.ok, formatTheaterSummary(theater));
      return theater.ok ? EXIT_OK : EXIT_ERR;
    }
    const result = await verifyChainFile(file);
    say(result.ok, formatSummary(result));
    return result.ok ? EXIT_OK : EXIT_ERR;
  } catch (error) {
    return cannotRead(error);
  }
}
