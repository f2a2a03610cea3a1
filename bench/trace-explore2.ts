import { actorComponent, percentile, runSleepers, peerRegistry } from './support.ts';
import { traceFleet } from './fleet-trace.ts';
import { naiveImports } from './peers/naive-host.ts';
const ms = (ns: bigint) => Number(ns) / 1e6;
const q = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return `p0 ${s[0]?.toFixed(1)} p50 ${percentile(s, 50).toFixed(1)} p90 ${percentile(s, 90).toFixed(1)} p99 ${percentile(s, 99).toFixed(1)} max ${s.at(-1)?.toFixed(1)}`; };
const jspi = await actorComponent('sleeper', 'jspi');
await traceFleet(jspi, 500, 20_000_000n);
await runSleepers(jspi, peerRegistry(naiveImports), 500, 20_000_000n);
const n = Number(process.argv[2] ?? 5000);
for (let r = 0; r < 2; r++) {
  globalThis.gc?.();
  const t = await traceFleet(jspi, n, 100_000_000n);
  const w = t.wakes;
  const rel = (x: bigint) => ms(x - t.startNs);
  const bs = w.map((x) => rel(x.deadlineNs) - 100); console.log(`ours: start spread ${(Math.max(...bs) - Math.min(...bs)).toFixed(0)} lateness ${q(t.run.latenessMs)} burst ${t.run.burstMs.toFixed(0)} cpu ${t.run.cpuMs.toFixed(0)}`);
  const cu = w.filter((x) => x.batch < 0), tm = w.filter((x) => x.batch >= 0);
  console.log(` catch-up ${cu.length}: tick->expiry ${q(cu.map((x) => ms(x.expiredNs - x.tickNs)))} expiry->resume ${q(cu.map((x) => ms(x.resumedNs - x.expiredNs)))}`);
  console.log(` timer    ${tm.length}: tick->expiry ${q(tm.map((x) => ms(x.expiredNs - x.tickNs)))} expiry->resume ${q(tm.map((x) => ms(x.resumedNs - x.expiredNs)))}`);
  const B = 25; const hist = new Map<number, number[]>();
  const add = (v: number, k: number) => { const b = Math.floor(v / B); const h = hist.get(b) ?? [0, 0, 0, 0]; h[k]++; hist.set(b, h); };
  for (const x of w) { add(rel(x.deadlineNs) - 100, 0); add(rel(x.deadlineNs), 1); add(rel(x.expiredNs), 2); add(rel(x.resumedNs), 3); }
  console.log(' ms      starts  deadlines expiries resumes');
  for (const k of [...hist.keys()].sort((a, b) => a - b)) console.log(` ${String(k * B).padStart(5)}  ${hist.get(k)!.map((v) => String(v).padStart(8)).join('')}`);
  console.log(' fires:', t.fires.map((f) => `${rel(f.startNs).toFixed(0)}:${f.expired}`).join(' '), ' burst end', rel(t.burstEndNs).toFixed(0));
  globalThis.gc?.();
  const nv = await runSleepers(jspi, peerRegistry(naiveImports), n, 100_000_000n);
  const sp = nv.wakes.map((x) => Number(x.deadlineNs) / 1e6); const s0 = Math.min(...sp);
  console.log(`naive: lateness ${q(nv.latenessMs)} burst ${nv.burstMs.toFixed(0)} cpu ${nv.cpuMs.toFixed(0)} start spread ${(Math.max(...sp) - s0).toFixed(0)}`);
}
