import Link from 'next/link';
import { HOME_PATH } from '../lib/session';

export default function NotFound() {
  return (
    <section className="card empty">
      <h1>Not found</h1>
      <p className="muted">There is nothing at this address.</p>
      <Link href={HOME_PATH}>Back to your projects</Link>
    </section>
  );
}
