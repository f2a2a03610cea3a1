// The end of a run (or a merge) on the terminal: the chain written, the first
// failures per instance on stderr, the result on stdout, and the exit code.
import { jsonText, safeText } from '../base/text.ts';
import type { RunCommand } from './args.ts';
import type { CliIo } from './io.ts';
import { theaterChainsWhere } from './theater-output.ts';
import { exitCodeOf, failureLine, jsonSummary, showState, summaryLine, type RunSummary } from './summary.ts';

export function report(summary: RunSummary, command: Pick<RunCommand, 'json' | 'shardIndex' | 'shardCount' | 'chainFormat'>, io: CliIo): number {
  // Guest strings and manifest names go through safeText: they cannot forge output lines.
  const say = (text: string): void => io.stderr(`theater-timing: ${safeText(text)}\n`);
  if (summary.chainError !== undefined) say(summary.chainError);
  if (summary.events !== null) {
    // A lost shard leaves no Theater files; in a JSON Lines fleet file its instances still get a closing chain.
    const lost = summary.shards.filter((s) => s.status !== 'ok').reduce((n, s) => n + s.instances, 0);
    const chains = command.chainFormat === 'theater' ? summary.instances - lost : summary.instances;
    const [kind, where] = command.chainFormat === 'theater' ? ['Theater chain', theaterChainsWhere(summary.events, summary.total)] : ['chain', summary.events];
    say(`wrote ${summary.eventLines} events (${chains} ${kind}${chains === 1 ? '' : 's'}) to ${where}`);
  }
  const many = summary.total > 1;
  for (const failure of summary.failures) say(failureLine(failure, many));
  const failed = summary.outcomes.err + summary.outcomes.trap;
  if (failed > summary.failures.length) say(`… and ${failed - summary.failures.length} more failed instances`);
  const slice = command.shardIndex !== null && command.shardCount !== null ? { index: command.shardIndex, count: command.shardCount } : null;
  if (command.json) {
    io.stdout(`${jsonText(jsonSummary(summary, slice))}\n`);
  } else if (!many) {
    const state = showState(summary.state);
    if (state !== null) io.stdout(`${state.text}\n`);
  } else {
    io.stdout(`${safeText(summaryLine(summary).trimEnd())}\n`);
  }
  return exitCodeOf(summary);
}
