/** What the references panel accepts before anything is uploaded, and how it labels understanding. */

/** The formats the API decodes (it sniffs the bytes; this only spares a doomed upload). */
export const ACCEPTED_TYPES = [
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
  'image/avif',
  'image/tiff',
];

export interface FileCheck {
  file: File;
  problem: string | null;
}

export function checkFiles(files: Iterable<File>, maxBytes: number | null = null): FileCheck[] {
  return [...files].map((file) => {
    if (!ACCEPTED_TYPES.includes(file.type)) {
      return { file, problem: `${file.name}: not a PNG, JPEG, WebP, GIF, AVIF or TIFF image` };
    }
    if (maxBytes !== null && file.size > maxBytes) {
      return { file, problem: `${file.name}: larger than ${Math.round(maxBytes / 1024 / 1024)} MB` };
    }
    return { file, problem: null };
  });
}

export interface UnderstandingView {
  level: number;
  understood: boolean;
}

/** Percent plus a word, so the level reads without colour; null means no UNDERSTAND run finished yet. */
export function understandingLabel(understanding: UnderstandingView | null): string {
  if (!understanding) return 'Not assessed yet';
  const percent = Math.round(Math.min(1, Math.max(0, understanding.level)) * 100);
  return `${percent}% · ${understanding.understood ? 'understood' : 'not yet understood'}`;
}

/** What a reference is bound to, in the words the panel uses. */
export function bindingLabel(regionId: string | null, regionNames: ReadonlyMap<string, string>): string {
  if (regionId === null) return 'Whole project';
  return regionNames.get(regionId) ?? 'A region';
}
