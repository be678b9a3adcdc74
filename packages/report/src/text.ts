/** Numbers as plain text for the report, the terminal and chart labels: never "NaN" or "undefined" — missing values are "—". */
export const DASH = '—';

export function num(x: number | undefined, digits = 3): string {
  if (x === undefined || Number.isNaN(x)) return DASH;
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  return x.toFixed(digits);
}

export function pValue(p: number | undefined): string {
  if (p === undefined || !Number.isFinite(p)) return DASH;
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** 'p < 0.001' / 'p = 0.042' style: the relation and the value, for running text. */
export function pRelation(p: number | undefined): string {
  if (p === undefined || !Number.isFinite(p)) return `= ${DASH}`;
  return p < 0.001 ? '< 0.001' : `= ${p.toFixed(3)}`;
}

export function signed(x: number | undefined, digits = 3): string {
  if (x === undefined || !Number.isFinite(x)) return num(x, digits);
  return (x > 0 ? '+' : x < 0 ? '−' : '±') + Math.abs(x).toFixed(digits);
}

export function seconds(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return DASH;
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(2)} h`;
}

/** A metric-unit difference as points, e.g. 0.01 → '1 point', 0.025 → '2.5 points'. */
export const pointsText = (x: number) => `${(100 * x).toFixed(1).replace(/\.0$/, '')} point${Math.abs(100 * x - 1) < 1e-9 ? '' : 's'}`;
