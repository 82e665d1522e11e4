import { BackendError, type Point, type RasterImage } from '@pakati/core';
import { encodePng, fitWithin } from '../image-codec.ts';
import { extractBox, type PixelBox } from '../region-compositor.ts';

/** OpenAI's high detail scales the short side to 768 anyway, and Claude's sweet spot is under 1568. */
export const JUDGE_MAX_SIDE = 768;

export interface JudgeImage {
  /** PNG, base64. */
  data: string;
  mediaType: 'image/png';
  width: number;
  height: number;
  /** The part of the source image that was sent, before downscaling. */
  box: PixelBox;
  /** Where the region lies in the image sent, in words. */
  regionNote: string;
}

/** The context kept around a region: enough to tell "a cat on a sofa" from a patch of fur. */
function padFor(width: number, height: number): number {
  return Math.max(8, Math.round(0.125 * Math.max(width, height)));
}

function regionBounds(points: Point[]) {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  return { left: Math.min(...xs), top: Math.min(...ys), right: Math.max(...xs), bottom: Math.max(...ys) };
}

const percent = (value: number, size: number) => Math.round(Math.min(100, Math.max(0, (value / size) * 100)));

/** The crop the judge looks at: the region's padded bounding box (or the whole image), at most 768 px long. */
export async function prepareJudgeImage(
  backend: string,
  image: RasterImage,
  region: { points: Point[] } | null,
): Promise<JudgeImage> {
  if (!(image.width > 0 && image.height > 0) || image.data.length !== image.width * image.height * 4) {
    throw new BackendError('INVALID_REQUEST', backend, 'the image is empty or not RGBA');
  }
  let box: PixelBox = { x: 0, y: 0, width: image.width, height: image.height };
  let regionNote = 'Judge the whole image.';
  if (region) {
    if (region.points.length === 0 || region.points.some((p) => !Number.isFinite(p.x + p.y))) {
      throw new BackendError('INVALID_REQUEST', backend, 'the region has no usable points');
    }
    const b = regionBounds(region.points);
    const pad = padFor(b.right - b.left, b.bottom - b.top);
    const x = Math.max(0, Math.floor(b.left - pad));
    const y = Math.max(0, Math.floor(b.top - pad));
    const right = Math.min(image.width, Math.ceil(b.right + pad));
    const bottom = Math.min(image.height, Math.ceil(b.bottom + pad));
    if (right <= x || bottom <= y)
      throw new BackendError('INVALID_REQUEST', backend, 'the region is off the image');
    box = { x, y, width: right - x, height: bottom - y };
    const [l, r] = [percent(b.left - x, box.width), percent(b.right - x, box.width)];
    const [t, bt] = [percent(b.top - y, box.height), percent(b.bottom - y, box.height)];
    regionNote =
      `Judge the region spanning ${l}% to ${r}% of the width and ${t}% to ${bt}% of the height, ` +
      'measured from the top-left; the rest of the image is surrounding context.';
  }
  const crop = await fitWithin(extractBox(image, box), JUDGE_MAX_SIDE);
  const { width, height } = crop;
  const png = await encodePng(crop);
  return { data: png.toString('base64'), mediaType: 'image/png', width, height, box, regionNote };
}
