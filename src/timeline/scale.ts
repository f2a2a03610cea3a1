// Time formatting and axis ticks, from nanoseconds to hours. Both functions
// are self-contained (no outside references) because the page's script
// carries their source text (render.ts): the server draws the first view
// and the browser redraws on every zoom with the same code.

/** `ns` as text in the unit that suits `stepNs` (the precision wanted), e.g. 1.25 s, 340 µs, 1 h 05 min. */
export function timelineFormatNs(ns: number, stepNs?: number, unitOfValue = false): string {
  const sign = ns < 0 ? '−' : '';
  const abs = Math.abs(ns);
  const given = stepNs !== undefined && stepNs > 0;
  const step = given ? stepNs : 1e9;
  if (abs >= 60e9 && step >= 1e9) {
    const totalS = Math.round(abs / 1e9);
    const h = Math.floor(totalS / 3600);
    const m = Math.floor((totalS % 3600) / 60);
    const s = totalS % 60;
    const parts = h > 0 ? [`${h} h`, `${String(m).padStart(2, '0')} min`] : [`${m} min`];
    if (step < 60e9 || s !== 0) parts.push(`${String(s).padStart(2, '0')} s`);
    return sign + parts.join(' ');
  }
  const units: Array<[string, number]> = [['s', 1e9], ['ms', 1e6], ['µs', 1e3], ['ns', 1]];
  // With a step, one unit for the whole axis; otherwise the unit of the value's magnitude.
  const unit = units.find((u) => (given && !unitOfValue ? step / u[1] >= 0.1 : abs >= u[1])) ?? units[units.length - 1];
  const decimals = given ? Math.max(0, Math.ceil(-Math.log10(step / unit[1]) - 1e-9)) : unit[1] === 1 ? 0 : 3;
  let text = (abs / unit[1]).toFixed(Math.min(decimals, 9));
  // Group long fractions in threes so 1.000 000 01 s stays readable.
  const dot = text.indexOf('.');
  if (dot !== -1 && text.length - dot - 1 > 3) {
    const frac = text.slice(dot + 1).replace(/(\d{3})(?=\d)/g, '$1\u2009');
    text = `${text.slice(0, dot)}.${frac}`;
  }
  return `${sign}${text} ${unit[0]}`;
}

/**
 * Ticks for the view [t0Ns, t1Ns] about every `spacingPx` over `widthPx`:
 * steps of 1-2-5 × 10^k ns up to 10 s, then 15 s, 30 s, minutes and hours.
 * When labels would need many digits (deep zoom far from 0), they become
 * offsets from `base`, the first tick, labelled once.
 */
export function timelineAxisTicks(t0Ns: number, t1Ns: number, widthPx: number, spacingPx = 110): {
  stepNs: number;
  base: { t: number; label: string } | null;
  ticks: Array<{ t: number; label: string }>;
} {
  const steps: number[] = [];
  for (let p = 1; p <= 1e9; p *= 10) steps.push(p, 2 * p, 5 * p);
  steps.push(1e10, 1.5e10, 3e10, 6e10, 1.2e11, 3e11, 6e11, 9e11, 1.8e12, 3.6e12, 7.2e12, 1.08e13, 2.16e13, 4.32e13, 8.64e13);
  for (let d = 8.64e13 * 2; d < 1e18; d *= 2) steps.push(d);
  const want = Math.max(1e-9, ((t1Ns - t0Ns) * spacingPx) / Math.max(1, widthPx));
  const stepNs = steps.find((s) => s >= want) ?? steps[steps.length - 1];
  const first = Math.ceil(t0Ns / stepNs) * stepNs;
  const relative = Math.abs(first) / stepNs >= 1e4;
  const base = relative ? { t: first, label: timelineFormatNs(first, stepNs, true) } : null;
  const ticks: Array<{ t: number; label: string }> = [];
  for (let t = first, i = 0; t <= t1Ns && i < 1000; i++, t = first + i * stepNs) {
    const label = base === null ? timelineFormatNs(t, stepNs) : `+${timelineFormatNs(t - base.t, stepNs)}`;
    ticks.push({ t, label });
  }
  return { stepNs, base, ticks };
}
