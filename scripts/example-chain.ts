// Run an actor from its manifest in this process and write its event chain.
// The README shows this file; test/readme.test.ts runs it, then verifies the chain.
import { fileURLToPath } from 'node:url';
import { buildChain, chainEnd, loadManifest, runFleet, writeChainJsonl } from 'theater-handler-timing';

const manifest = loadManifest(fileURLToPath(new URL('../test-actors/wasi-clocks-test/manifest.toml', import.meta.url)));
const out = process.argv[2] ?? 'clocks.events.jsonl';

// One instance, real time; its timing calls are recorded as events.
const { outcome, events } = (await runFleet(manifest, { instances: 1 })).results[0];

// Hash-chain the events, close the chain with its ChainEnd record, write it durably.
const message = outcome.status === 'ok' ? '' : outcome.error;
await writeChainJsonl(out, buildChain([...events, chainEnd(events, outcome.status, message)]));
console.log(`init ${outcome.status}; wrote ${events.length + 1} events to ${out}`);
