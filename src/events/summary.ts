// The few lines `theater-timing verify` prints for a VerifyResult: the verdict,
// the chains (at most 10), and the event counts by type.
import type { VerifyResult } from './verify.ts';

const short = (hash: string | null): string => (hash === null ? 'null' : hash.slice(0, 12));

const MAX_CHAINS_SHOWN = 10;

/** A few lines for the CLI: verdict, chains (at most 10), event counts. */
export function formatSummary(result: VerifyResult): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const size = `${plural(result.lines, 'line')}, ${plural(result.chains.length, 'chain')}`;
  const out = result.firstError === undefined
    ? [`chain ok: ${size}`]
    : [`chain INVALID: line ${result.firstError.line}: ${result.firstError.message}`, `${plural(result.errors, 'error')} in ${size}`];
  for (const chain of result.chains.slice(0, MAX_CHAINS_SHOWN)) {
    const label = chain.instance === null ? 'chain' : `instance ${chain.instance}`;
    // Chains from before identity records (issue 21) still verify: they just cannot say whose they are.
    const actor = chain.actor === undefined ? '' : chain.actor === null ? ', no identity record (an older chain)' : `, actor ${chain.actor}`;
    out.push(`  ${label}: ${plural(chain.lines, 'event')}, head ${short(chain.head)}${actor}`);
  }
  if (result.chains.length > MAX_CHAINS_SHOWN) out.push(`  … and ${result.chains.length - MAX_CHAINS_SHOWN} more chains`);
  const types = Object.entries(result.countsByType);
  const width = Math.max(0, ...types.map(([type]) => type.length));
  for (const [type, count] of types) out.push(`  ${type.padEnd(width)}  ${count}`);
  return out.join('\n');
}
