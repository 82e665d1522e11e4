import Link from 'next/link';
import { GenerationHistory } from '../../../../components/gallery/GenerationHistory';
import { RunGallery } from '../../../../components/gallery/RunGallery';
import '../../../../components/runs/runs.css';

export default async function GalleryPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  return (
    <main className="runs-page">
      <nav aria-label="Breadcrumb" className="small">
        <Link href={`/projects/${projectId}`}>Project</Link> › Gallery
      </nav>
      <RunGallery projectId={projectId} />
      <GenerationHistory projectId={projectId} />
    </main>
  );
}
