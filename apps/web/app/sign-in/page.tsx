import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { SignInForm } from '../../components/shell/SignInForm';
import { readDevApiKey } from '../../lib/server-config';
import { isLoopbackHost } from '../../lib/session';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  const { next } = await searchParams;
  // The dev key file (set by `bin/pakati up`) is a local convenience: only a browser on this machine sees it.
  const devKey = isLoopbackHost((await headers()).get('host')) ? await readDevApiKey() : null;
  return (
    <div className="narrow">
      <SignInForm devKey={devKey} next={typeof next === 'string' ? next : null} />
    </div>
  );
}
