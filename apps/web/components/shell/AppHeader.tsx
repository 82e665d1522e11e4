'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useState } from 'react';
import { HOME_PATH, SIGN_IN_PATH } from '../../lib/session';
import { useOrganizationName } from '../../lib/use-organization-name';

const NAV = [
  { href: HOME_PATH, label: 'Projects' },
  { href: '/analytics', label: 'Analytics' },
  { href: '/settings', label: 'Settings' },
] as const;

/** The top bar: brand, navigation, the signed-in organization and sign-out; only the brand while signed out. */
export function AppHeader({ signedIn }: { signedIn: boolean }) {
  const pathname = usePathname();
  const router = useRouter();
  const [signingOut, setSigningOut] = useState(false);
  const [signOutFailed, setSignOutFailed] = useState(false);
  const organizationName = useOrganizationName(signedIn);

  async function signOut() {
    setSigningOut(true);
    setSignOutFailed(false);
    try {
      const response = await fetch('/api/session', { method: 'DELETE' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      router.replace(SIGN_IN_PATH);
      router.refresh();
    } catch {
      setSignOutFailed(true);
      setSigningOut(false);
    }
  }

  return (
    <header className="app-header">
      <Link href={signedIn ? HOME_PATH : SIGN_IN_PATH} className="brand">
        Pakati
      </Link>
      {signedIn ? (
        <>
          <nav aria-label="Main" className="app-nav">
            {NAV.map((item) => {
              const current = pathname === item.href || pathname.startsWith(`${item.href}/`);
              return (
                <Link key={item.href} href={item.href} aria-current={current ? 'page' : undefined}>
                  {item.label}
                </Link>
              );
            })}
          </nav>
          <div className="app-header-end">
            {organizationName ? (
              <span
                className="app-organization"
                data-testid="organization-name"
                title="Signed-in organization"
              >
                {organizationName}
              </span>
            ) : null}
            {signOutFailed ? (
              <span role="alert" className="error-inline">
                Sign-out failed; try again.
              </span>
            ) : null}
            <button type="button" className="secondary" onClick={() => void signOut()} disabled={signingOut}>
              {signingOut ? 'Signing out…' : 'Sign out'}
            </button>
          </div>
        </>
      ) : null}
    </header>
  );
}
