import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

// No anonymous usage telemetry from builds of this app (`next build` reads this after loading the config).
process.env.NEXT_TELEMETRY_DISABLED ??= '1';

// The monorepo root (two levels up). Setting both roots explicitly silences the
// "inferred workspace root" warnings and keeps file tracing inside the repository.
const monorepoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // @pakati/core ships TypeScript sources (polygon rules shared with the API).
  transpilePackages: ['@pakati/core'],
  turbopack: { root: monorepoRoot },
  outputFileTracingRoot: monorepoRoot,
};

export default nextConfig;
