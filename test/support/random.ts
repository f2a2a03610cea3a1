// Seeded randomness for property and fuzz tests: mulberry32, small, fast, and
// the same sequence on every run for one seed.
export function makeRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from `envName` when set (to replay a failure), else a fresh one; printed either way. */
export function seedFrom(envName: string, what: string): number {
  const given = process.env[envName];
  const seed = given === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(given);
  console.log(`${what}: seed ${seed} (re-run with ${envName}=${seed})`);
  return seed;
}
