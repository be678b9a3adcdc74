// Minimal typings for the parts of jstat 1.9 used here (no @types/jstat exists on npm).
declare module 'jstat' {
  interface JStatStatic {
    erf(x: number): number;
    ibeta(x: number, a: number, b: number): number;
    lowRegGamma(a: number, x: number): number;
    normal: { cdf(x: number, mean: number, sd: number): number; inv(p: number, mean: number, sd: number): number };
    studentt: { cdf(x: number, df: number): number; inv(p: number, df: number): number };
    tukey: { cdf(q: number, nmeans: number, df: number): number; inv(p: number, nmeans: number, df: number): number };
  }
  const jStat: JStatStatic;
  export default jStat;
}
