/** Linear interpolation from `a` (t = 0) to `b` (t = 1). */
export const lerp = (a: number, b: number, t: number): number => a + (b - a) * t
