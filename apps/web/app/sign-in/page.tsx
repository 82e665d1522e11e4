import type { Metadata } from 'next';
import { SignInForm } from '../../components/shell/SignInForm';
import { readDevApiKey } from '../../lib/server-config';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  const { next } = await searchParams;
  // The dev key file is a local convenience; a production build never reads it into a page.
  const devKey = process.env.NODE_ENV === 'production' ? null : await readDevApiKey();
  return (
    <div className="narrow">
      <SignInForm devKey={devKey} next={typeof next === 'string' ? next : null} />
    </div>
  );
}
