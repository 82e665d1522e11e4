'use client';
import './runs.css';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { galleryPath, runPath } from '../../lib/paths';
import { RunsList } from './RunsList';
import { StartRunForm } from './StartRunForm';

/** The project workspace's runs column: start one (then watch it live), or open an earlier one. */
export function RunsPanel({ projectId }: { projectId: string }) {
  const router = useRouter();
  return (
    <div className="runs-panel">
      <StartRunForm projectId={projectId} onStarted={(run) => router.push(runPath(projectId, run.id))} />
      <RunsList projectId={projectId} />
      <p>
        <Link href={galleryPath(projectId)}>Gallery and generation history</Link>
      </p>
    </div>
  );
}
