import Link from 'next/link';
import { RunView } from '../../../../../components/runs/RunView';
import { galleryPath, projectPath } from '../../../../../lib/paths';
import '../../../../../components/runs/runs.css';

export default async function RunPage({ params }: { params: Promise<{ projectId: string; runId: string }> }) {
  // Next hands dynamic segments over still percent-encoded; ids are base64 with `=` and `/`.
  const encoded = await params;
  const projectId = decodeURIComponent(encoded.projectId);
  const runId = decodeURIComponent(encoded.runId);
  return (
    <div className="runs-page">
      <nav aria-label="Breadcrumb" className="small">
        <Link href={projectPath(projectId)}>Project</Link> ›{' '}
        <Link href={galleryPath(projectId)}>Gallery</Link> › Run
      </nav>
      <RunView key={runId} runId={runId} projectId={projectId} />
    </div>
  );
}
