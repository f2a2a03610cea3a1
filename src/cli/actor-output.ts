// What actors write to stdout and stderr (a `type = "wasi"` handler captures
// it), on the terminal: each line prefixed with the instance that wrote it,
// `[name#3] `, and escaped like all guest text (safeText), so a line can
// neither forge another nor send terminal escapes.
//
//   actor stdout -> our stdout, actor stderr -> our stderr;
//   with --json both go to stderr, so stdout holds only the JSON;
//   in a shard process (--shard-ipc) both go to its stdout, which the parent
//   passes through to its own stdout (stderr with --json): shard-parent.ts.
// An instance that wrote past its cap gets one line on stderr saying how much was dropped.
import { safeText } from '../base/text.ts';
import type { ActorOutputSink } from '../handler/wasi-output.ts';
import type { CliIo } from './io.ts';

export function cliOutput(io: Pick<CliIo, 'stdout' | 'stderr'>, where: 'split' | 'stderr' | 'stdout'): ActorOutputSink {
  const out = where === 'stderr' ? io.stderr : io.stdout;
  const err = where === 'stdout' ? io.stdout : io.stderr;
  return {
    line(actorId, stream, text) {
      (stream === 'stdout' ? out : err)(`[${safeText(actorId)}] ${safeText(text)}\n`);
    },
    dropped(actorId, bytes, cap) {
      err(`theater-timing: ${safeText(actorId)}: ${bytes} bytes of output past its ${cap}-byte cap (max_output_bytes) dropped\n`);
    },
  };
}
