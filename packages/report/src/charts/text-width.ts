/**
 * Text widths for Vega's layout without a canvas. Vega's fallback guesses 0.8 em per character,
 * about a third too wide for DejaVu Sans: labels were cut short ("brain-tumor-mri · 5/clas…")
 * and every chart carried an empty band on its right. These are DejaVu Sans advance widths
 * (units of 1/2048 em), the font the charts name first and the PNGs are drawn with.
 */
const WIDTHS: Record<string, number> = {
  ' ': 651, a: 1255, b: 1300, c: 1126, d: 1300, e: 1260, f: 721, g: 1300, h: 1298, i: 569, j: 569, k: 1186, l: 569, m: 1995,
  n: 1298, o: 1253, p: 1300, q: 1300, r: 842, s: 1067, t: 803, u: 1298, v: 1212, w: 1675, x: 1212, y: 1212, z: 1075,
  A: 1401, B: 1405, C: 1430, D: 1577, E: 1294, F: 1178, G: 1587, H: 1540, I: 604, J: 604, K: 1343, L: 1141, M: 1767, N: 1532,
  O: 1612, P: 1235, Q: 1612, R: 1423, S: 1300, T: 1251, U: 1499, V: 1401, W: 2025, X: 1403, Y: 1251, Z: 1403,
  '.': 651, ',': 651, ':': 690, ';': 690, '-': 739, '(': 799, ')': 799, '[': 799, ']': 799, '/': 690, '%': 1946, '_': 1024,
  '·': 651, '–': 1024, '—': 2048, '−': 1716, '=': 1716, '+': 1716, '≈': 1716, '…': 2048, '±': 1716, "'": 563, '"': 821, '“': 1042, '”': 1042,
};
const DIGIT = 1303;
const OTHER = 1300;

/** Width in px of `text` in DejaVu Sans at `fontSize` px (bold about 20% wider). */
export function dejaVuWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const ch of text) units += WIDTHS[ch] ?? (ch >= '0' && ch <= '9' ? DIGIT : OTHER);
  return (units / 2048) * fontSize * (bold ? 1.2 : 1);
}
