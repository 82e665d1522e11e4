/**
 * sharp tags raw non-8-bit input as 16-bit grey and casts it to unsigned 16 bits before writing it back, which
 * would clip the negative half of a Laplacian and round every value. A one-band 32-bit float TIFF comes in as
 * float B_W and stays float end to end, so filter planes travel through libvips without loss. The file is the
 * minimal baseline TIFF 6.0 layout: little-endian header, one IFD, one uncompressed strip.
 */

const FIELD_SHORT = 3;
const FIELD_LONG = 4;
const HEADER_BYTES = 8;

export function encodeFloatTiff(values: Float32Array, width: number, height: number): Buffer {
  const stripBytes = width * height * 4;
  // [tag, field type, value]; tags must be in ascending order.
  const entries: [number, number, number][] = [
    [256, FIELD_LONG, width], // ImageWidth
    [257, FIELD_LONG, height], // ImageLength
    [258, FIELD_SHORT, 32], // BitsPerSample
    [259, FIELD_SHORT, 1], // Compression: none
    [262, FIELD_SHORT, 1], // PhotometricInterpretation: black is zero
    [273, FIELD_LONG, 0], // StripOffsets, filled in below
    [277, FIELD_SHORT, 1], // SamplesPerPixel
    [278, FIELD_LONG, height], // RowsPerStrip
    [279, FIELD_LONG, stripBytes], // StripByteCounts
    [284, FIELD_SHORT, 1], // PlanarConfiguration: chunky
    [339, FIELD_SHORT, 3], // SampleFormat: IEEE float
  ];
  const ifdBytes = 2 + entries.length * 12 + 4;
  const dataOffset = HEADER_BYTES + ifdBytes;
  const file = Buffer.allocUnsafe(dataOffset + stripBytes);
  file.write('II', 0, 'latin1');
  file.writeUInt16LE(42, 2);
  file.writeUInt32LE(HEADER_BYTES, 4);
  file.writeUInt16LE(entries.length, HEADER_BYTES);
  let at = HEADER_BYTES + 2;
  for (const [tag, type, value] of entries) {
    file.writeUInt16LE(tag, at);
    file.writeUInt16LE(type, at + 2);
    file.writeUInt32LE(1, at + 4);
    const stored = tag === 273 ? dataOffset : value;
    if (type === FIELD_SHORT) {
      file.writeUInt16LE(stored, at + 8);
      file.writeUInt16LE(0, at + 10);
    } else {
      file.writeUInt32LE(stored, at + 8);
    }
    at += 12;
  }
  file.writeUInt32LE(0, at); // no further IFD
  Buffer.from(values.buffer, values.byteOffset, values.byteLength).copy(file, dataOffset);
  return file;
}
