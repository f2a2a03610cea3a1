// Runs one command line twice: through the bundled binary (as a user runs it)
// and in-process through runCli (so the source it runs is measured by c8), and
// checks both say the same. Paths in `args` should be absolute: the binary runs in ROOT.
import * as assert from 'uvu/assert';
import { runCli } from '../../src/cli/cli.ts';
import type { ChainFs } from '../../src/events/chain-file.ts';
import { bin } from './support.ts';

export interface Outcome { status: number | null; stdout: string; stderr: string }

export async function inProcess(args: string[], chainFs?: ChainFs): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const status = await runCli(args, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, isTTY: false, chainFs });
  return { status, stdout, stderr };
}

/** The binary's outcome, after checking that runCli in this process gives the same one. */
export async function twice(...args: string[]): Promise<Outcome> {
  const binary = bin(...args);
  const local = await inProcess(args);
  assert.equal(local, binary, `in-process and binary agree: ${args.join(' ')}`);
  return binary;
}
