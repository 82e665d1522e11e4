import { readFileSync } from 'node:fs';
import { jsKernel, rasterizeMask, rectangle } from '@pakati/core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { analyzePhoto, loadPhoto, MIN_ANALYSIS_SIZE } from '../src/index.ts';

const astronaut = () => readFileSync(new URL('../../../fixtures/photos/astronaut.png', import.meta.url));

/** A small synthetic picture with distinct quadrants, so orientation and colour survive every encoding. */
function quadrants(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour =
        y < height / 2
          ? x < width / 2
            ? [220, 40, 40]
            : [40, 200, 60]
          : x < width / 2
            ? [40, 60, 210]
            : [230, 220, 40];
      data.set(colour, (y * width + x) * 3);
    }
  }
  return data;
}

const rgbAt = (image: { width: number; data: Uint8ClampedArray }, x: number, y: number) =>
  Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));

describe('loadPhoto', () => {
  it('decodes to opaque 8-bit RGBA', async () => {
    const image = await loadPhoto(astronaut());
    expect(image.width).toBe(512);
    expect(image.height).toBe(512);
    expect(image.data.length).toBe(512 * 512 * 4);
    expect(image.data[3]).toBe(255);
  });

  it('refuses images smaller than the analysis minimum', async () => {
    const tiny = await sharp({
      create: { width: MIN_ANALYSIS_SIZE - 1, height: 64, channels: 3, background: '#808080' },
    })
      .png()
      .toBuffer();
    await expect(loadPhoto(tiny)).rejects.toMatchObject({
      code: 'INVALID_IMAGE',
      details: { reason: 'TOO_SMALL' },
    });
  });

  it('refuses bytes that are not an image', async () => {
    await expect(loadPhoto(Buffer.from('definitely not a picture'))).rejects.toMatchObject({
      code: 'INVALID_IMAGE',
      details: { reason: 'UNDECODABLE' },
    });
    await expect(loadPhoto(new Uint8Array(0))).rejects.toMatchObject({ code: 'INVALID_IMAGE' });
    const truncated = astronaut().subarray(0, 2000);
    await expect(loadPhoto(truncated)).rejects.toMatchObject({ code: 'INVALID_IMAGE' });
  });

  it('reduces a 16-bit PNG to 8 bits', async () => {
    const raw = quadrants(64, 48);
    const png16 = await sharp(raw, { raw: { width: 64, height: 48, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const image = await loadPhoto(png16);
    expect(rgbAt(image, 5, 5)).toEqual([220, 40, 40, 255]);
    expect(rgbAt(image, 60, 40)).toEqual([230, 220, 40, 255]);
  });

  it('converts a CMYK JPEG to sRGB', async () => {
    const raw = quadrants(64, 48);
    const cmyk = await sharp(raw, { raw: { width: 64, height: 48, channels: 3 } })
      .toColourspace('cmyk')
      .jpeg({ quality: 95 })
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const image = await loadPhoto(cmyk);
    expect(image.data.length).toBe(64 * 48 * 4);
    // sharp's naive RGB→CMYK on write and its ICC-based CMYK→sRGB on read do not round-trip exactly, so compare
    // with libvips's own conversion and check each quadrant keeps its dominant channel.
    const reference = await sharp(cmyk).toColourspace('srgb').raw().toBuffer();
    for (let i = 0; i < 64 * 48; i++) {
      expect(Array.from(image.data.subarray(i * 4, i * 4 + 3))).toEqual(
        Array.from(reference.subarray(i * 3, i * 3 + 3)),
      );
    }
    const dominant = (x: number, y: number) => {
      const [r, g, b] = rgbAt(image, x, y) as [number, number, number];
      return [r, g, b].indexOf(Math.max(r, g, b));
    };
    expect([dominant(10, 10), dominant(50, 10), dominant(10, 40)]).toEqual([0, 1, 2]);
  });

  it('applies the EXIF orientation', async () => {
    const raw = quadrants(64, 48);
    // Orientation 6: the stored pixels must be turned 90° clockwise to display.
    const rotated = await sharp(raw, { raw: { width: 64, height: 48, channels: 3 } })
      .png()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const image = await loadPhoto(rotated);
    expect([image.width, image.height]).toEqual([48, 64]);
    // The stored top-left (red) quadrant ends up top-right.
    expect(rgbAt(image, 40, 5)).toEqual([220, 40, 40, 255]);
  });

  it('flattens transparency onto white', async () => {
    const rgba = Buffer.alloc(40 * 40 * 4);
    for (let i = 0; i < 40 * 40; i++) rgba.set(i < 800 ? [0, 0, 0, 0] : [10, 20, 30, 255], i * 4);
    const png = await sharp(rgba, { raw: { width: 40, height: 40, channels: 4 } })
      .png()
      .toBuffer();
    const image = await loadPhoto(png);
    expect(rgbAt(image, 0, 0)).toEqual([255, 255, 255, 255]);
    expect(rgbAt(image, 0, 39)).toEqual([10, 20, 30, 255]);
  });
});

describe('analyzePhoto', () => {
  it('analyses a photo with regions built from its decoded size', async () => {
    const analysis = await analyzePhoto(astronaut(), ({ width, height }) => [
      {
        id: 'left',
        mask: { width, height, data: rasterizeMask(rectangle(0, 0, width / 2, height), width, height) },
      },
    ]);
    expect(analysis.kernel).toBe('sharp');
    expect(analysis.regions[0]!.box).toEqual({ x: 0, y: 0, width: 256, height: 512 });
    const portable = await analyzePhoto(astronaut(), [], jsKernel);
    expect(portable.canvas.brightness).toBeCloseTo(analysis.canvas.brightness, 9);
  });
});
