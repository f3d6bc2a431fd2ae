/** Flags over environment variables over defaults; bad values refused with the flag named. */
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_PORT, loadRelayConfig, type RelayConfig } from './config.ts';

function config(argv: string[], env: NodeJS.ProcessEnv = {}): RelayConfig {
  const result = loadRelayConfig(argv, { HOME: '/home/u', ...env });
  if (result.kind !== 'config') throw new Error('expected a config');
  return result.config;
}

describe('loadRelayConfig', () => {
  it('has safe defaults: loopback, no private destinations, files under ~/.config', () => {
    const c = config([], { XDG_CONFIG_HOME: '/home/u/.config' });
    expect(c).toMatchObject({ host: '127.0.0.1', port: DEFAULT_PORT, allowPrivate: false, allowedCidrs: [], maxRedirects: 5, publicUrl: null });
    expect(c.camerasFile).toBe('/home/u/.config/tapedeck-relay/cameras.json');
    expect(c.tokenFile).toBe('/home/u/.config/tapedeck-relay/token');
    expect(c.sourcesFile).toBe('/home/u/.config/tapedeck-relay/sources.json');
    expect(c.allowedOrigins).toContain('http://localhost:5173');
  });

  it('reads environment variables, and flags win over them', () => {
    const env = { TAPEDECK_RELAY_PORT: '9000', TAPEDECK_RELAY_ALLOW_PRIVATE: 'yes', TAPEDECK_RELAY_ALLOWED_ORIGINS: 'http://a.test, https://b.test:8443', TAPEDECK_RELAY_MAX_SEGMENT_BYTES: '1000' };
    expect(config([], env)).toMatchObject({ port: 9000, allowPrivate: true, allowedOrigins: ['http://a.test', 'https://b.test:8443'], maxSegmentBytes: 1000 });
    expect(config(['--port', '0', '--allowed-origin', 'http://c.test', '--cameras-file', '/srv/cams.json'], env)).toMatchObject({ port: 0, allowedOrigins: ['http://c.test'], camerasFile: '/srv/cams.json', tokenFile: '/srv/token' });
  });

  it('refuses bad values, naming the flag and the value', () => {
    const cases: [string[], NodeJS.ProcessEnv, string][] = [
      [['--port', '70000'], {}, '--port (or TAPEDECK_RELAY_PORT) must be a whole number from 0 to 65535, got "70000"'],
      [[], { TAPEDECK_RELAY_UPSTREAM_HEADERS_TIMEOUT_MS: '1.5' }, '--upstream-headers-timeout-ms'],
      [['--allowed-origin', 'http://a.test/path'], {}, 'no path'],
      [['--allow-cidr', '10.0.0.0'], {}, 'CIDR'],
      [['--log-level', 'loud'], {}, '--log-level must be one of'],
      [['--public-url', 'ftp://x'], {}, '--public-url'],
      [['--bogus'], {}, "Unknown option '--bogus'"],
      [[], { TAPEDECK_RELAY_ALLOW_PRIVATE: 'maybe' }, 'allow-private'],
    ];
    for (const [argv, env, message] of cases) {
      expect(() => config(argv, env), argv.join(' ')).toThrow(ConfigError);
      expect(() => config(argv, env), argv.join(' ')).toThrow(message);
    }
  });

  it('answers --help', () => {
    expect(loadRelayConfig(['--help'], {})).toEqual({ kind: 'help' });
  });
});
