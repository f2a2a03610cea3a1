// Verifies a chain file as a stream: bytes are split on "\n" and each line is
// decoded as strict UTF-8 and checked at once, so memory stays flat for a file
// of any size (a chain of 40 M events is ~6 GB, more than one JS string holds).
import { createReadStream } from 'node:fs';
import { ChainVerifier, type VerifyResult } from './verify.ts';

const NEWLINE = 0x0a;

export async function verifyChainFile(path: string): Promise<VerifyResult> {
  const verifier = new ChainVerifier();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const push = (bytes: Uint8Array): void => {
    let row: string;
    try {
      row = decoder.decode(bytes);
    } catch {
      return verifier.reject('not valid UTF-8');
    }
    verifier.push(row);
  };
  let pending: Buffer[] = [];
  let lastByte = -1;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, start)) {
      const part = chunk.subarray(start, at);
      push(pending.length === 0 ? part : Buffer.concat([...pending, part]));
      pending = [];
      start = at + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
    if (chunk.length > 0) lastByte = chunk[chunk.length - 1];
  }
  if (pending.length > 0) push(Buffer.concat(pending));
  return verifier.finish(lastByte === -1 || lastByte === NEWLINE);
}
