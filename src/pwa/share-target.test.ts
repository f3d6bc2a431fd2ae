import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sharedStreamUrl } from './share-target.ts';

describe('sharedStreamUrl', () => {
  it('takes the url parameter', () => {
    expect(sharedStreamUrl('?url=https%3A%2F%2Fradio.example%2Flive.m3u8&title=Radio')).toBe('https://radio.example/live.m3u8');
  });

  it('finds a link inside shared text when there is no url parameter', () => {
    expect(sharedStreamUrl('?text=Listen%20live%3A%20http%3A%2F%2F127.0.0.1%3A8080%2Fa.m3u8%20tonight')).toBe('http://127.0.0.1:8080/a.m3u8');
  });

  it('refuses other schemes and plain text', () => {
    expect(sharedStreamUrl('?url=javascript%3Aalert(1)')).toBeNull();
    expect(sharedStreamUrl('?text=no%20link%20here')).toBeNull();
    expect(sharedStreamUrl('')).toBeNull();
  });

  it('returns only http(s) URLs, whatever is shared', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (url, text) => {
        const found = sharedStreamUrl(`?${new URLSearchParams({ url, text })}`);
        expect(found === null || /^https?:\/\//.test(found)).toBe(true);
      }),
    );
  });
});
