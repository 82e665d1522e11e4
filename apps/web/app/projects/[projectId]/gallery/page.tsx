import Link from 'next/link';
import { GenerationHistory } from '../../../../components/gallery/GenerationHistory';
import { RunGallery } from '../../../../components/gallery/RunGallery';
import { projectPath } from '../../../../lib/paths';
import '../../../../components/runs/runs.css';

export default async function GalleryPage({ params }: { params: Promise<{ projectId: string }> }) {
  // Next hands dynamic segments over still percent-encoded; ids are base64 with `=` and `/`.
  const projectId = decodeURIComponent((await params).projectId);
  return (
    <div className="runs-page">
      <nav aria-label="Breadcrumb" className="small">
        <Link href={projectPath(projectId)}>Project</Link> › Gallery
      </nav>
      <RunGallery projectId={projectId} />
      <GenerationHistory projectId={projectId} />
    </div>
  );
}
