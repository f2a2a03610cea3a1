// `theater-timing timeline <chain…> [-o out.html]`: reads chains (our JSON
// Lines, fleet files included, or Theater's chain.json), builds the model and
// writes one self-contained HTML page. Default output: beside the first
// chain, its name without .jsonl/.json plus `.timeline.html`; `-o -` is stdout.
// The page is written as chains are (temporary file, fsync, rename), to a
// target that passes the output rule (events/output-target.ts): a regular
// file or a new one, and none of the chains read. Every error is one line,
// escaped like guest text (a JSON error quotes the input's bytes).
import { basename, resolve } from 'node:path';
import { safeText } from '../base/text.ts';
import { ChainFile, ChainWriteError } from '../events/chain-file.ts';
import { checkOutputTarget, OutputTargetError } from '../events/output-target.ts';
import { buildTimeline, type ChainInput } from '../timeline/build.ts';
import { TimelineInputError } from '../timeline/calls.ts';
import { renderTimeline } from '../timeline/render.ts';
import type { TimelineCommand } from './args.ts';
import { EXIT_OK, EXIT_USAGE, type CliIo } from './io.ts';

export function defaultTimelinePath(chain: string): string {
  return `${chain.replace(/\.(jsonl|json)$/, '')}.timeline.html`;
}

export async function timeline(command: TimelineCommand, io: CliIo): Promise<number> {
  const say = (text: string): number => {
    io.stderr(`theater-timing: ${safeText(text)}\n`);
    return EXIT_USAGE;
  };
  await Promise.resolve();
  // Each file is read a record at a time as the model is built: no file is held as one string.
  const inputs: ChainInput[] = command.chains.map((file) => ({ name: basename(file), path: file }));
  let html: string;
  let summary: string;
  try {
    const model = buildTimeline(inputs);
    html = renderTimeline(model);
    summary = `${model.actorCount} actor${model.actorCount === 1 ? '' : 's'}, ${model.eventCount} events, ${model.lanes.length} lane${model.lanes.length === 1 ? '' : 's'}`;
  } catch (error) {
    if (!(error instanceof TimelineInputError)) throw error;
    return say(error.message);
  }
  const out = command.output ?? defaultTimelinePath(command.chains[0]);
  if (out === '-') {
    io.stdout(html);
    return EXIT_OK;
  }
  try {
    checkOutputTarget(resolve(out), command.chains.map((path) => ({ what: 'an input chain', path })));
    const file = new ChainFile(resolve(out), io.chainFs);
    file.write(html);
    file.commit();
  } catch (error) {
    if (error instanceof OutputTargetError) return say(`-o: ${error.message}`);
    if (error instanceof ChainWriteError) return say(`-o: cannot write ${out} (${error.code})`);
    throw error;
  }
  io.stderr(`theater-timing: wrote the timeline of ${safeText(summary)} to ${safeText(out)}\n`);
  io.stdout(`${out}\n`);
  return EXIT_OK;
}
