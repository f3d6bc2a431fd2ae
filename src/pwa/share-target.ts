/**
 * The stream URL another app shared with Tapedeck through the manifest's share target
 * (`/?url=…&text=…&title=…`, Web Share Target Level 2, GET): the `url` parameter, else the
 * first http(s) URL found in `text` (many apps share links as text), else null.
 * @param search - `location.search`, e.g. `?text=Listen%20https%3A%2F%2Fradio.example%2Flive.m3u8`.
 */
export function sharedStreamUrl(search: string): string | null {
  const params = new URLSearchParams(search);
  const candidates = [params.get('url'), ...(params.get('text')?.match(/https?:\/\/\S+/g) ?? [])];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      const url = new URL(candidate.trim());
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
    } catch {
      // not a URL; try the next
    }
  }
  return null;
}
