import { describe, expect, it } from 'vitest';
import { exportTags } from '../export/tags.ts';
import { RelayClient } from '../relay-client/relay-client.ts';
import { shareableSourceUrl, sourceNameFromUrl } from './source-name.ts';

const TOKEN = 's3cret-relay-token';
const relay = new RelayClient({ url: 'http://192.168.1.10:8787', token: TOKEN }, 1000);
const stream = 'https://tv.example/live/index.m3u8?quality=hd&lang=en%20gb';

describe('shareableSourceUrl', () => {
  it('gives the stream’s own URL for the relay’s proxy URL of it, with no token', () => {
    const proxied = relay.proxyUrl(stream, 'src-1');
    expect(proxied).toContain(TOKEN);
    expect(shareableSourceUrl(proxied)).toBe(stream);
    expect(sourceNameFromUrl(proxied)).toBe('tv.example');
  });

  it('takes token parameters and user credentials out, and leaves the rest of the query as it was', () => {
    expect(shareableSourceUrl(`http://192.168.1.10:8787/cameras/shop/index.m3u8?token=${TOKEN}`)).toBe('http://192.168.1.10:8787/cameras/shop/index.m3u8');
    expect(shareableSourceUrl(`https://cdn.example/a.m3u8?x=1%202&access_token=${TOKEN}&y=(*)`)).toBe('https://cdn.example/a.m3u8?x=1+2&y=%28*%29');
    expect(shareableSourceUrl('https://user:pass@radio.example/live.m3u8')).toBe('https://radio.example/live.m3u8');
    expect(shareableSourceUrl(stream)).toBe(stream);
    expect(shareableSourceUrl('not a url')).toBe('not a url');
  });

  it('is the default comment tag, so an export of a relayed recording carries no relay token', () => {
    const recording = { title: 'News', sourceName: 'tv.example', sourceUrl: relay.proxyUrl(stream, 'src-1'), startedAtMs: Date.UTC(2026, 10, 23, 12), tags: undefined };
    expect(exportTags(recording).comment).toBe(stream);
    expect(exportTags({ ...recording, tags: { comment: 'kept as typed' } }).comment).toBe('kept as typed');
  });
});
