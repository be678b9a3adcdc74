/** Input checks shared by every test: errors name the function, the argument and the bad value. */

export function checkFinite(fn: string, name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`${fn}: ${name}[${i}] is ${String(v)}; every value must be a finite number`);
    }
  }
}

export function checkMinLength(fn: string, name: string, values: ArrayLike<number>, min: number): void {
  if (values.length < min) {
    throw new Error(`${fn}: ${name} has ${values.length} value(s); at least ${min} are needed`);
  }
}

/** Paired samples: same length, finite. Returns the differences x - y. */
export function pairedDifferences(fn: string, x: ArrayLike<number>, y: ArrayLike<number>): number[] {
  if (x.length !== y.length) {
    throw new Error(`${fn}: paired samples differ in length: x has ${x.length} values, y has ${y.length}`);
  }
  checkFinite(fn, 'x', x);
  checkFinite(fn, 'y', y);
  return Array.from({ length: x.length }, (_, i) => x[i] - y[i]);
}

export function checkOneOf<T extends string>(fn: string, name: string, value: T, allowed: readonly T[]): void {
  if (!allowed.includes(value)) {
    throw new Error(`${fn}: unknown ${name} '${String(value)}'; expected one of ${allowed.join(', ')}`);
  }
}

export function checkLevel(fn: string, name: string, value: number): void {
  if (!(value > 0 && value < 1)) throw new Error(`${fn}: ${name} must lie strictly between 0 and 1, got ${value}`);
}

export function checkCount(fn: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${fn}: ${name} must be a non-negative integer, got ${value}`);
  }
}
