import { connection } from 'next/server';
import { PakatiConsole } from '../components/PakatiConsole';
import { readDevApiKey, serverApiUrl } from '../lib/server-config';

export default async function Page() {
  // Render per request so PAKATI_API_URL / PAKATI_WEB_DEV_KEY_FILE are read at runtime, not baked in.
  await connection();
  const apiUrl = serverApiUrl();
  const devApiKey = await readDevApiKey();
  return <PakatiConsole apiUrl={apiUrl} devApiKey={devApiKey} />;
}
