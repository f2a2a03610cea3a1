// Verifies a chain file as a stream: bytes are split on "\n" and each line is
// decoded as strict UTF-8 and checked at once, so memory stays flat for a file
// of any size (a chain of 40 M events is ~6 GB, more than one JS string holds).
import { createReadStream } from 'node:fs';
import { ChainVerifier, type VerifyResult } from './verify.ts';

const NEWLINE = 0x0a;
/**
 * The longest line read: a written line is under 1 KiB, except a PollReady
 * over a long list (~11 B per index: 10 000 pollables are ~110 KiB). A longer
 * line fails without being held, so a hostile file cannot exhaust memory.
 */
export const MAX_LINE_BYTES = 16 * 2 ** 20;

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
  let pendingBytes = 0;
  let tooLong = false;
  const endLine = (part: Buffer): void => {
    if (tooLong) verifier.reject(`line longer than ${MAX_LINE_BYTES} bytes`);
    else push(pending.length === 0 ? part : Buffer.concat([...pending, part]));
    pending = [];
    pendingBytes = 0;
    tooLong = false;
  };
  let lastByte = -1;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, start)) {
      tooLong ||= pendingBytes + at - start > MAX_LINE_BYTES;
      endLine(chunk.subarray(start, at));
      start = at + 1;
    }
    if (start < chunk.length && !tooLong) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_LINE_BYTES) {
        tooLong = true;
        pending = [];
      }
    }
    if (chunk.length > 0) lastByte = chunk[chunk.length - 1];
  }
  if (pending.length > 0 || tooLong) endLine(Buffer.alloc(0));
  return verifier.finish(lastByte === -1 || lastByte === NEWLINE);
}
