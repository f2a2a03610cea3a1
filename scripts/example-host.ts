// A host that wires the timing handler into a jco-transpiled component by hand.
// docs/LIBRARY.md shows this file; test/readme.test.ts runs it.
import { readFile } from 'node:fs/promises';
import { EventRecorder, HandlerRegistry, TimingHandler, buildChain, transpileComponent } from 'theater-handler-timing';

// The seed's "Direct Handler Usage": a registry with one timing handler.
const registry = new HandlerRegistry();
registry.register(new TimingHandler({ max_sleep_duration: 3_600_000, min_sleep_duration: 1 }, null));

// jco transpiles the component once (cached by SHA-256); poll and pollable.block
// become JSPI async imports, theater:simple/actor#init an async export.
const bytes = await readFile(new URL('../test-actors/build/wasi-clocks-test.wasm', import.meta.url));
const component = await transpileComponent(bytes, { mode: 'jspi' });

// The import object: the registry matches the component's imports (any wasi
// 0.2.x) to handlers and merges what they provide, keyed as jco expects.
const events = new EventRecorder();
const built = registry.buildImports(component.importNames, { actorId: 'example', events });
console.log(`imports served: ${Object.keys(built.imports).join(', ')}`);

type Actor = { init(state: Uint8Array | undefined): Promise<[Uint8Array | undefined]> };
const actor = component.instantiateSync<{ 'theater:simple/actor': Actor }>(built.imports)['theater:simple/actor'];
const [state] = await actor.init(undefined);
console.log(`init returned: ${new TextDecoder().decode(state)}`);
console.log(`events recorded: ${buildChain(events.events).length}`);
built.dispose(); // drops every pollable the actor still holds
