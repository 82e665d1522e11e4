import { describe, expect, it } from 'vitest';
import { loadBackendsConfig } from '../src/config-entry.ts';

describe('backend configuration', () => {
  it('enables the offline backends plus every fully configured one by default', () => {
    expect(loadBackendsConfig({}).enabled).toEqual(['procedural', 'patchmatch']);
    const config = loadBackendsConfig({
      PAKATI_A1111_URL: 'http://127.0.0.1:7860',
      PAKATI_OPENAI_API_KEY: 'sk-x',
    });
    expect(config.enabled).toEqual(['procedural', 'patchmatch', 'automatic1111', 'openai']);
  });

  it('enables exactly the listed backends and refuses incomplete or unknown ones', () => {
    expect(loadBackendsConfig({ PAKATI_BACKENDS: 'procedural' }).enabled).toEqual(['procedural']);
    expect(() => loadBackendsConfig({ PAKATI_BACKENDS: 'procedural,stability' })).toThrow(
      /stability needs PAKATI_STABILITY_API_KEY/,
    );
    expect(() => loadBackendsConfig({ PAKATI_BACKENDS: 'dalle9' })).toThrow(/unknown backends: dalle9/);
    expect(() => loadBackendsConfig({ PAKATI_A1111_URL: 'not a url' })).toThrow(/PAKATI_A1111_URL/);
  });
});
