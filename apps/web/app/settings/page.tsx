import type { Metadata } from 'next';
import { ApiKeysSettings } from '../../components/settings/ApiKeysSettings';
import { RulesSettings } from '../../components/settings/RulesSettings';
import { SystemSettings } from '../../components/settings/SystemSettings';
import { WebhooksSettings } from '../../components/settings/WebhooksSettings';

export const metadata: Metadata = { title: 'Settings' };

/** The organization's settings: keys, webhooks and rules, and a view of the system its runs go through. */
export default function SettingsPage() {
  return (
    <div className="settings">
      <h1>Settings</h1>
      <nav aria-label="Settings sections" className="settings-nav">
        <a href="#api-keys">API keys</a> · <a href="#webhooks">Webhooks</a> · <a href="#rules">Fuzzy rules</a>{' '}
        · <a href="#system">Backends, workers and queues</a>
      </nav>
      <section id="api-keys" aria-label="API keys">
        <ApiKeysSettings />
      </section>
      <section id="webhooks" aria-label="Webhooks">
        <WebhooksSettings />
      </section>
      <section id="rules" aria-label="Fuzzy rules">
        <RulesSettings />
      </section>
      <section id="system" aria-label="Backends, workers and queues">
        <SystemSettings />
      </section>
    </div>
  );
}
