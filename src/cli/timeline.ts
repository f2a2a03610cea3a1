// `theater-timing timeline <chain…> [-o out.html]`: reads chains (our JSON
// Lines, fleet files included, or Theater's chain.json), builds the model and
// writes one self-contained HTML page. Default output: beside the first
// chain, its name without .jsonl/.json plus `.timeline.html`; `-o -` is stdout.
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { buildTimeline, type ChainInput } from '../timeline/build.ts';
import { TimelineInputError } from '../timeline/calls.ts';
import { renderTimeline } from '../timeline/render.ts';
import type { TimelineCommand } from './args.ts';
import { EXIT_OK, EXIT_USAGE, type CliIo } from './io.ts';

export function defaultTimelinePath(chain: string): string {
  return `${chain.replace(/\.(jsonl|json)$/, '')}.timeline.html`;
}

export async function timeline(command: TimelineCommand, io: CliIo): Promise<number> {
  const inputs: ChainInput[] = [];
  for (const file of command.chains) {
    try {
      inputs.push({ name: basename(file), text: await readFile(file, 'utf8') });
    } catch (error) {
      io.stderr(`theater-timing: ${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`);
      return EXIT_USAGE;
    }
  }
  let html: string;
  let summary: string;
  try {
    const model = buildTimeline(inputs);
    html = renderTimeline(model);
    summary = `${model.actorCount} actor${model.actorCount === 1 ? '' : 's'}, ${model.eventCount} events, ${model.lanes.length} lane${model.lanes.length === 1 ? '' : 's'}`;
  } catch (error) {
    if (!(error instanceof TimelineInputError)) throw error;
    io.stderr(`theater-timing: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const out = command.output ?? defaultTimelinePath(command.chains[0]);
  if (out === '-') {
    io.stdout(html);
    return EXIT_OK;
  }
  try {
    await writeFile(out, html);
  } catch (error) {
    io.stderr(`theater-timing: -o: cannot write ${out} (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`);
    return EXIT_USAGE;
  }
  io.stderr(`theater-timing: wrote the timeline of ${summary} to ${out}\n`);
  io.stdout(`${out}\n`);
  return EXIT_OK;
}
