// Verifies a chain file as a stream: lines are read one at a time (lines.ts),
// each decoded as strict UTF-8 and checked at once, so memory stays flat for a
// file of any size (a chain of 40 M events is ~6 GB, more than one JS string
// holds). The replay reads its chain through the same ChainVerifier
// (replay/jsonl.ts), so what this refuses a replay refuses too.
import { fileChunks } from './chunks.ts';
import { LineReader, MAX_LINE_BYTES } from './lines.ts';
import { ChainVerifier, type VerifyResult } from './verify.ts';

export { MAX_LINE_BYTES };

export async function verifyChainFile(path: string): Promise<VerifyResult> {
  await Promise.resolve();
  const verifier = new ChainVerifier();
  const lines = new LineReader(fileChunks(path));
  try {
    for (let line = lines.next(); line !== null; line = lines.next()) {
      if ('error' in line) verifier.reject(line.error);
      else verifier.push(line.text);
    }
  } finally {
    lines.close();
  }
  return verifier.finish(lines.endsWithNewline);
}
