import { redirect } from 'next/navigation';
import { HOME_PATH } from '../lib/session';

/** proxy.ts sends signed-out visitors to sign-in first. */
export default function Home() {
  redirect(HOME_PATH);
}
