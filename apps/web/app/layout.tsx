import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { AppHeader } from '../components/shell/AppHeader';
import { API_URL_META } from '../lib/api';
import { browserApiUrl } from '../lib/server-config';
import { SESSION_COOKIE } from '../lib/session';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Pakati', template: '%s · Pakati' },
  description: 'Regional prompting: draw regions, prompt them, generate.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Reading the cookie renders per request, so the API URL below is read at runtime, not baked in.
  const signedIn = (await cookies()).has(SESSION_COOKIE);
  return (
    <html lang="en">
      <head>
        <meta name={API_URL_META} content={browserApiUrl()} />
      </head>
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <AppHeader signedIn={signedIn} />
        <main id="main" className="page">
          {children}
        </main>
      </body>
    </html>
  );
}
