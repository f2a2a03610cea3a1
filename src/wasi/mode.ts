// How block and poll wait. Under JSPI the guest suspends and the event loop runs
// on; without it (Node < 24.21), the thread sleeps with Atomics.wait, which is
// correct for one actor at a time only.

export type ExecutionMode = 'jspi' | 'sync';

const wasm = (globalThis as unknown as { WebAssembly: Record<string, unknown> }).WebAssembly;

/** Whether this Node has JSPI (`WebAssembly.Suspending` and `WebAssembly.promising`). */
export const jspiAvailable: boolean =
  typeof wasm.Suspending === 'function' && typeof wasm.promising === 'function';

/** The one line a Node without JSPI gets: what the sync fallback costs, and what to use instead. */
export function noJspiNotice(version: string = process.version): string {
  return `this Node (${version}) has no JSPI; block/poll fall back to blocking the thread (actors sleep one after another). Use Node >= 24.21.`;
}

// Where the notice goes: a process warning for the library; the CLI sends it to its stderr.
let noticeSink: (line: string) => void = (line) => process.emitWarning(line, { code: 'THEATER_TIMING_NO_JSPI' });
const told = new WeakSet<(line: string) => void>();

/** Sends the no-JSPI notice to `sink` instead of process.emitWarning (the CLI: one line on its stderr); returns the previous sink. */
export function sendNoJspiNoticeTo(sink: (line: string) => void): (line: string) => void {
  const previous = noticeSink;
  noticeSink = sink;
  return previous;
}

/** Says the notice when JSPI is missing, once per sink (so once per process by default); returns whether it spoke. */
export function noticeNoJspi(available = jspiAvailable, sink: (line: string) => void = noticeSink): boolean {
  if (available || told.has(sink)) return false;
  told.add(sink);
  sink(noJspiNotice());
  return true;
}

/** What a JSPI-only call is told on a Node without JSPI. */
export function jspiMissing(version: string = process.version): string {
  return `mode "jspi" was requested, but this Node (${version}) has no JSPI (WebAssembly.Suspending): use Node >= 24.21, or mode "sync" or "auto"`;
}

/** Throws jspiMissing() when JSPI is not available. */
export function requireJspi(available = jspiAvailable): void {
  if (!available) throw new Error(jspiMissing());
}

/** The mode to run in: JSPI when available, unless sync is asked for; falling back to sync says so once. */
export function resolveMode(requested: ExecutionMode | 'auto' = 'auto', available = jspiAvailable, sink?: (line: string) => void): ExecutionMode {
  if (requested === 'sync') return 'sync';
  if (requested === 'jspi') requireJspi(available);
  if (!available) noticeNoJspi(available, sink);
  return available ? 'jspi' : 'sync';
}
