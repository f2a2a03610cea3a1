// The fairness pass of another checkout against this one, in one process, on
// the compute kernels' core module instantiated directly (no component glue, no
// JSPI: the check import only counts): what each pass costs, kernel by kernel,
// alternating runs, median CPU ms.
//
//   node --expose-gc bench/pass-compare.ts <other checkout> [runs]
//
// e.g. `node --expose-gc bench/pass-compare.ts ../main 11` for main's pass
// beside this branch's.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { instrumentCoreModule, YIELD_MODULE } from '../src/component/instrument.ts';

type Instrument = typeof instrumentCoreModule;
type Exports = { memory: { buffer: ArrayBuffer }; 'theater:simple/actor#init'(has: number, ptr: number, len: number): number };
const wasm = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: Exports }; Module: new (b: Uint8Array) => object } }).WebAssembly;

const KERNELS: Array<[string, number, number, number]> = [
  ['hash', 0, 4 << 20, 40], ['heapsort', 1, 200_000, 3], ['matrix product', 2, 200, 5], ['JSON-like scanner', 3, 4 << 20, 10], ['recursive fib', 4, 27, 10],
];

async function main(): Promise<void> {
  const other = process.argv[2];
  if (other === undefined) throw new Error('usage: node --expose-gc bench/pass-compare.ts <other checkout> [runs]');
  const runs = Number(process.argv[3] ?? 11);
  const theirs = (await import(pathToFileURL(join(resolve(other), 'src', 'component', 'instrument.ts')).href) as { instrumentCoreModule: Instrument }).instrumentCoreModule;
  const tools = (await import('@bytecodealliance/jco')) as { parse(wat: string): Promise<Uint8Array> };
  const plain = await tools.parse(readFileSync(join(import.meta.dirname, '..', 'test-actors', 'compute-kernels', 'compute-kernels.wat'), 'utf8'));
  let checks = 0;
  const imports = { [YIELD_MODULE]: { check: () => { checks++; return 0; }, yield: () => {}, 'poll-limit': () => {} } };
  const variants: Array<[string, Exports]> = [
    ['plain', new wasm.Instance(new wasm.Module(plain), {}).exports],
    ['other', new wasm.Instance(new wasm.Module((await theirs(plain, { asyncExports: [] })).bytes), imports).exports],
    ['this', new wasm.Instance(new wasm.Module((await instrumentCoreModule(plain, { asyncExports: [] })).bytes), imports).exports],
  ];
  const rows = ['| kernel | plain (CPU ms) | other pass | cost | checks | this pass | cost | checks |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const [name, kernel, n, rounds] of KERNELS) {
    const times = new Map<string, number[]>(variants.map(([v]) => [v, []]));
    const seen = new Map<string, number>();
    for (let i = -2; i < runs; i++) {
      for (const [v, ex] of variants) {
        const state = new DataView(ex.memory.buffer, 0x200, 12);
        [kernel, n, rounds].forEach((x, j) => state.setUint32(4 * j, x, true));
        globalThis.gc?.();
        checks = 0;
        const t0 = process.cpuUsage();
        ex['theater:simple/actor#init'](1, 0x200, 12);
        const used = process.cpuUsage(t0);
        if (i >= 0) times.get(v)!.push((used.user + used.system) / 1000);
        seen.set(v, checks);
      }
    }
    const med = (v: string) => { const xs = [...times.get(v)!].sort((a, b) => a - b); return xs[xs.length >> 1]!; };
    const cost = (v: string) => `${((med(v) / med('plain') - 1) * 100).toFixed(1)} %`;
    rows.push(`| ${name} | ${med('plain').toFixed(1)} | ${med('other').toFixed(1)} | ${cost('other')} | ${seen.get('other')} | ${med('this').toFixed(1)} | ${cost('this')} | ${seen.get('this')} |`);
  }
  console.log(rows.join('\n'));
}

await main();
