/** Holm's step-down adjustment of a family of p-values. */
import { checkFinite } from './validate.js';

/**
 * Holm-adjusted p-values, in the input order (R's p.adjust(method = 'holm')): sorted ascending,
 * p_(i) becomes max over j <= i of min(1, (m - j + 1)·p_(j)). Reject where adjusted <= alpha.
 */
export function holm(pValues: ArrayLike<number>): number[] {
  checkFinite('holm', 'pValues', pValues);
  for (let i = 0; i < pValues.length; i++) {
    if (pValues[i] < 0 || pValues[i] > 1) throw new Error(`holm: pValues[${i}] = ${pValues[i]} is not a probability`);
  }
  const m = pValues.length;
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => pValues[a] - pValues[b]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, j) => {
    running = Math.max(running, Math.min(1, (m - j) * pValues[index]));
    adjusted[index] = running;
  });
  return adjusted;
}
