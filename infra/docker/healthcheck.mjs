// Container health probe: exits 0 when the URL answers 2xx within the timeout. The slim and CUDA images ship
// no curl or wget, and Node is there anyway. Usage: node healthcheck.mjs <url> [timeout ms]
const [url, timeout = '3000'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node healthcheck.mjs <url> [timeout ms]');
  process.exit(2);
}
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(Number(timeout)) });
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`${url}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
