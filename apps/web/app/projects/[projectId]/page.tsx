import type { Metadata } from 'next';
import { ProjectWorkspace } from '../../../components/project/ProjectWorkspace';

export const metadata: Metadata = { title: 'Project' };

export default async function ProjectPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  return <ProjectWorkspace projectId={decodeURIComponent(projectId)} />;
}
