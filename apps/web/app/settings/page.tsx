import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Settings' };

export default function SettingsPage() {
  return (
    <section className="card">
      <h1>Settings</h1>
      <p className="muted">Organization settings (API keys, webhooks) will live here.</p>
    </section>
  );
}
