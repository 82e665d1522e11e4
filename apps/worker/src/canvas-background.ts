import { type RasterImage, renderProcedural } from '@pakati/core';

/** The canvas regions are blended onto when there is no base image: the procedural renderer's seeded background. */
export function seededBackground(width: number, height: number, seed: number): RasterImage {
  const render = renderProcedural({ width, height, seed, regions: [] });
  let next = render.next();
  while (!next.done) next = render.next();
  return next.value;
}
