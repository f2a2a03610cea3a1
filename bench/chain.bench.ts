// Recording cost and memory: the in-memory EventRecorder (an array push; the
// chain is hashed and serialised at the end) against the ChainRecorder the CLI
// uses (each event hashed, serialised and buffered to a file at once), and
// streamed verification. 200 000 MonotonicClockNow events, as a clock spinner
// records them.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainFile } from '../src/events/chain-file.ts';
import { ChainRecorder } from '../src/events/chain-recorder.ts';
import { buildChain, formatChainJsonl } from '../src/events/chain.ts';
import { EventRecorder } from '../src/events/recorder.ts';
import { verifyChainFile } from '../src/events/verify-file.ts';

export { run };

const EVENTS = 200_000;

function heapAfterGc(): number {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

async function run(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'chain-bench-'));
  try {
    const before = heapAfterGc();
    const memory = new EventRecorder();
    let t0 = performance.now();
    for (let i = 0; i < EVENTS; i++) memory.record({ type: 'MonotonicClockNow', instant: BigInt(i) });
    const pushNs = ((performance.now() - t0) * 1e6) / EVENTS;
    const heldBytes = (heapAfterGc() - before) / EVENTS;
    t0 = performance.now();
    const text = formatChainJsonl(buildChain(memory.events));
    const endNs = ((performance.now() - t0) * 1e6) / EVENTS;
    memory.clear();

    const path = join(dir, 'chain.jsonl');
    const streamBefore = heapAfterGc();
    const file = new ChainFile(path);
    const streamed = new ChainRecorder(file);
    t0 = performance.now();
    for (let i = 0; i < EVENTS; i++) streamed.record({ type: 'MonotonicClockNow', instant: BigInt(i) });
    streamed.end('ok', '');
    const streamNs = ((performance.now() - t0) * 1e6) / EVENTS;
    const streamHeld = (heapAfterGc() - streamBefore) / EVENTS;
    t0 = performance.now();
    file.commit();
    const commitMs = performance.now() - t0;
    const bytes = statSync(path).size;
    t0 = performance.now();
    const verdict = await verifyChainFile(path);
    const verifyMs = performance.now() - t0;
    if (!verdict.ok) throw new Error(`bench chain does not verify: ${verdict.firstError?.message}`);
    return [
      `### Recording a chain (${EVENTS.toLocaleString('en-US')} events)`,
      '',
      '| recorder | ns per event while recording | + ns per event at the end | heap held per event | |',
      '| --- | ---: | ---: | ---: | --- |',
      `| in memory (EventRecorder, library) | ${pushNs.toFixed(0)} | ${endNs.toFixed(0)} (hash + JSON) | ${heldBytes.toFixed(0)} B | grows with the chain (${(text.length / EVENTS).toFixed(0)} B of text per event at the end) |`,
      `| streamed (ChainRecorder, CLI) | ${streamNs.toFixed(0)} | ${((commitMs * 1e6) / EVENTS).toFixed(0)} (fsync + rename) | ${streamHeld.toFixed(1)} B | flat: a queue of at most 64 Ki characters |`,
      '',
      `Streamed verification (\`verify\`): ${(bytes / 2 ** 20 / (verifyMs / 1000)).toFixed(0)} MB/s, ${((verifyMs * 1e6) / EVENTS).toFixed(0)} ns per line (${(bytes / 2 ** 20).toFixed(1)} MB file).`,
      '',
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) console.log(await run());
