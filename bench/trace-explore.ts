import { actorComponent, percentile, runSleepers, peerRegistry } from './support.ts';
import { traceFleet, type FleetTrace } from './fleet-trace.ts';
import { naiveImports } from './peers/naive-host.ts';
const ms = (ns: bigint) => Number(ns) / 1e6;
const q = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return `p0 ${s[0]?.toFixed(2)} p50 ${percentile(s, 50).toFixed(2)} p90 ${percentile(s, 90).toFixed(2)} p99 ${percentile(s, 99).toFixed(2)} max ${s.at(-1)?.toFixed(2)}`; };
function report(t: FleetTrace, n: number) {
  const w = t.wakes;
  console.log(`n=${n} sleep ${t.sleepMs.toFixed(0)} ms, burst ${ms(t.burstEndNs - t.startNs).toFixed(1)} ms, fires ${t.fires.length}, arms ${t.arms.length}`);
  const befores = w.map((x) => ms(x.deadlineNs - t.startNs) - 100);
  console.log(' guest before (from start):', q(befores));
  console.log(' lateness      ', q(w.map((x) => ms(x.resumedNs - x.deadlineNs))));
  console.log(' round-up      ', q(w.map((x) => ms(x.tickNs - x.deadlineNs))));
  console.log(' tick->fire    ', q(w.filter(x=>x.fireNs>0).map((x) => ms(x.fireNs - x.tickNs))));
  console.log(' fire->expiry  ', q(w.filter(x=>x.fireNs>0).map((x) => ms(x.expiredNs - x.fireNs))));
  console.log(' expiry->host  ', q(w.map((x) => ms(x.hostNs - x.expiredNs))));
  console.log(' host->guest   ', q(w.map((x) => ms(x.resumedNs - x.hostNs))));
  console.log(' not via fire  ', w.filter(x=>x.fireNs<0).length);
  for (const f of t.fires.slice(0, 12)) console.log(`  fire at ${ms(f.startNs - t.startNs).toFixed(1)} took ${ms(f.endNs - f.startNs).toFixed(2)} ms expired ${f.expired}`);
  for (const a of t.arms.slice(0, 12)) console.log(`  arm at ${ms(a.atNs - t.startNs).toFixed(1)} delay ${a.delayMs.toFixed(2)}`);
  // order: resume order vs deadline order
  const byDeadline = w.map((x, i) => i).sort((a, b) => Number(w[a].deadlineNs - w[b].deadlineNs));
  const rank = new Array(w.length); byDeadline.forEach((i, r) => rank[i] = r);
  const byResume = w.map((x, i) => i).sort((a, b) => Number(w[a].resumedNs - w[b].resumedNs));
  let inv = 0, maxDisp = 0; byResume.forEach((i, r) => { maxDisp = Math.max(maxDisp, Math.abs(rank[i] - r)); if (r > 0 && rank[byResume[r-1]] > rank[i]) inv++; });
  console.log(` resume order: adjacent inversions ${inv}, max displacement ${maxDisp}`);
  // in-batch: host order vs expiry order
  const byHost = w.map((x, i) => i).sort((a, b) => Number(w[a].hostNs - w[b].hostNs));
  let inv2 = 0; byHost.forEach((i, r) => { if (r > 0 && w[byHost[r-1]].expiredNs > w[i].expiredNs) inv2++; });
  console.log(` host order vs expiry order adjacent inversions ${inv2}`);
  // first resume in each batch relative to fire
  const batches = new Map<number, number[]>();
  w.forEach((x) => { if (x.batch >= 0) { const l = batches.get(x.batch) ?? []; l.push(ms(x.resumedNs - t.fires[x.batch].endNs)); batches.set(x.batch, l); } });
  for (const [b, l] of [...batches].slice(0, 8)) console.log(`  batch ${b} size ${l.length}: first resume ${Math.min(...l).toFixed(2)} ms after fire end, last ${Math.max(...l).toFixed(2)}`);
}
const jspi = await actorComponent('sleeper', 'jspi');
await traceFleet(jspi, 500, 20_000_000n);
await runSleepers(jspi, peerRegistry(naiveImports), 500, 20_000_000n);
for (const n of (process.argv[2] ?? '1000,5000,10000').split(',').map(Number)) {
  globalThis.gc?.();
  const t = await traceFleet(jspi, n, 100_000_000n);
  report(t, n);
  globalThis.gc?.();
  const naive = await runSleepers(jspi, peerRegistry(naiveImports), n, 100_000_000n);
  console.log(' NAIVE lateness', q(naive.latenessMs), 'burst', naive.burstMs.toFixed(1), 'sleep', naive.sleepMs.toFixed(0));
  console.log(' NAIVE before  ', q(naive.wakes.map(x => 0)));
}
