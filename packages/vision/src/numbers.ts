import { PakatiError } from '@pakati/core';

/** A caller's threshold or share, which must lie in (0, 1]. */
export function unitOption(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 1) {
    throw new PakatiError('BAD_USER_INPUT', `${name} must be a number in (0, 1]`, { [name]: value });
  }
  return value;
}

export const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** Findings are stored and shown; three decimals is more than the models' precision. */
export const round3 = (v: number) => Math.round(v * 1000) / 1000;
