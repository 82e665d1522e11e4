import Link from 'next/link';
import { RunView } from '../../../../../components/runs/RunView';
import '../../../../../components/runs/runs.css';

export default async function RunPage({ params }: { params: Promise<{ projectId: string; runId: string }> }) {
  const { projectId, runId } = await params;
  return (
    <main className="runs-page">
      <nav aria-label="Breadcrumb" className="small">
        <Link href={`/projects/${projectId}`}>Project</Link> ›{' '}
        <Link href={`/projects/${projectId}/gallery`}>Gallery</Link> › Run
      </nav>
      <RunView key={runId} runId={runId} projectId={projectId} />
    </main>
  );
}
