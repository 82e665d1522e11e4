/** Which image the editor draws under its overlay. */

export interface RunImage {
  kind: string;
  status: string;
  imageUrl: string | null;
}

/**
 * The newest succeeded run's image (runs come newest first). UNDERSTAND runs reconstruct a reference,
 * not the canvas, so they are skipped.
 */
export function latestImageUrl(runs: readonly RunImage[]): string | null {
  return (
    runs.find((r) => r.status === 'SUCCEEDED' && r.kind !== 'UNDERSTAND' && r.imageUrl)?.imageUrl ?? null
  );
}
