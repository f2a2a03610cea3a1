// A JavaScript actor (componentize-js) that computes without ever waiting: the
// fairness pass must preempt it (SpiderMonkey's interpreter loop runs inside the
// guest), so sleepers beside it still wake on time and max_cpu_ms can trap it.
// Built by scripts/build-js-actors.ts.
//
// init(state): the state is UTF-8 text:
//   "<n>"       run n rounds of an integer mixing loop, return "js-spinner: <n> rounds, checksum <x>"
//   "forever"   while (true) {} with a counter: never returns (max_cpu_ms traps it)
const text = (bytes) => new TextDecoder().decode(bytes);
const encode = (s) => new TextEncoder().encode(s);

function mix(rounds) {
  let x = 0x9e3779b9 | 0;
  for (let i = 0; i < rounds; i++) {
    x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + i | 0;
  }
  return x >>> 0;
}

export const actor = {
  init(state) {
    const order = state === undefined ? '' : text(state);
    if (order === 'forever') {
      let x = 0;
      while (true) x = (x + 1) | 0;
    }
    const rounds = Number(order);
    if (order === '' || !Number.isSafeInteger(rounds) || rounds < 0) throw new Error(`js-spinner: bad state ${JSON.stringify(order)}`);
    return [encode(`js-spinner: ${rounds} rounds, checksum ${mix(rounds)}`)];
  },
};
