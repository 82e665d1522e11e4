import { readFile } from 'node:fs/promises';
import { loadPhoto } from '@pakati/backends';
import type { Point, RasterImage } from '@pakati/core';

export type PhotoName = 'astronaut.png' | 'chelsea.png' | 'coffee.png' | 'rocket.jpg';

export async function photo(name: PhotoName): Promise<RasterImage> {
  return loadPhoto(await readFile(new URL(`../../../fixtures/photos/${name}`, import.meta.url)));
}

export function rect(x: number, y: number, width: number, height: number): Point[] {
  return [
    { x, y },
    { x: x + width, y },
    { x: x + width, y: y + height },
    { x, y: y + height },
  ];
}
