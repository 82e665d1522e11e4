import { describe, expect, it } from 'vitest';
import { bindingLabel, checkFiles, understandingLabel } from '../lib/references/reference-files';
import { latestImageUrl } from '../lib/region-editor/latest-image';

const file = (name: string, type: string, size = 10) => new File([new Uint8Array(size)], name, { type });

describe('reference uploads', () => {
  it('accepts the image formats the API decodes and names the rest', () => {
    const checks = checkFiles([
      file('a.png', 'image/png'),
      file('b.svg', 'image/svg+xml'),
      file('c.txt', 'text/plain'),
    ]);
    expect(checks.map((c) => c.problem)).toEqual([
      null,
      'b.svg: not a PNG, JPEG, WebP, GIF, AVIF or TIFF image',
      'c.txt: not a PNG, JPEG, WebP, GIF, AVIF or TIFF image',
    ]);
  });

  it('refuses files over the size limit when one is known', () => {
    const [big] = checkFiles([file('big.jpg', 'image/jpeg', 3 * 1024 * 1024)], 2 * 1024 * 1024);
    expect(big?.problem).toBe('big.jpg: larger than 2 MB');
  });
});

describe('reference labels', () => {
  it('reads the understanding level as a percentage and a word', () => {
    expect(understandingLabel(null)).toBe('Not assessed yet');
    expect(understandingLabel({ level: 0.812, understood: true })).toBe('81% · understood');
    expect(understandingLabel({ level: 0.4, understood: false })).toBe('40% · not yet understood');
  });

  it('names what a reference is bound to', () => {
    const names = new Map([['r1', 'Region 2']]);
    expect(bindingLabel(null, names)).toBe('Whole project');
    expect(bindingLabel('r1', names)).toBe('Region 2');
    expect(bindingLabel('gone', names)).toBe('A region');
  });
});

describe('the image under the editor', () => {
  it('is the newest succeeded canvas run, skipping reference reconstructions', () => {
    expect(
      latestImageUrl([
        { kind: 'GENERATE', status: 'RUNNING', imageUrl: null },
        { kind: 'UNDERSTAND', status: 'SUCCEEDED', imageUrl: 'u.png' },
        { kind: 'REFINE', status: 'SUCCEEDED', imageUrl: 'r.png' },
        { kind: 'GENERATE', status: 'SUCCEEDED', imageUrl: 'g.png' },
      ]),
    ).toBe('r.png');
    expect(latestImageUrl([{ kind: 'GENERATE', status: 'FAILED', imageUrl: null }])).toBeNull();
  });
});
