// A CPU profile of one workload, summarised as the functions with the most self
// time: the "show the profile" part of a missed target, taken in the same run.
import { Session } from 'node:inspector/promises';

export { profileTop };

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface Profile { nodes: ProfileNode[]; samples?: number[] }

/** Runs `work` under the V8 CPU profiler; returns the `top` functions by share of samples. */
async function profileTop(work: () => Promise<void>, top = 6): Promise<Array<{ name: string; percent: number }>> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 50 });
    await session.post('Profiler.start');
    await work();
    const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
    const byName = new Map<string, number>();
    let total = 0;
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      if (hits === 0) continue;
      total += hits;
      const { functionName, url } = node.callFrame;
      const where = url.startsWith('data:') ? 'jco glue' : url === '' ? 'native' : url.replace(/^.*\/(src|bench|node_modules)\//, '$1/');
      const name = `${functionName || '(anonymous)'} [${where}]`;
      byName.set(name, (byName.get(name) ?? 0) + hits);
    }
    return [...byName.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, hits]) => ({ name, percent: (100 * hits) / total }));
  } finally {
    session.disconnect();
  }
}
