import { describe, expect, it } from 'vitest';
import { parseMasterPlaylist } from './master-playlist.ts';

// What ffmpeg writes with -var_stream_map "v:0,agroup:aud v:1,agroup:aud a:0,agroup:aud,default:yes"
// and -master_pl_name, plus a WebVTT rendition (tests/helpers/ffmpeg-master.ts).
const MASTER = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_aud",NAME="audio_2",DEFAULT=YES,URI="v2/index.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,URI="subs/index.m3u8"
#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="CC1",INSTREAM-ID="CC1"
#EXT-X-STREAM-INF:BANDWIDTH=950400,RESOLUTION=640x360,CODECS="avc1.42c01e,mp4a.40.2",AUDIO="group_aud",SUBTITLES="subs",CLOSED-CAPTIONS="cc"
v0/index.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=290400,RESOLUTION=320x180,CODECS="avc1.42c00d,mp4a.40.2",AUDIO="group_aud"
v1/index.m3u8
`;

describe('parseMasterPlaylist', () => {
  it('lists the variants with the groups they name, and the renditions with their own URI, made absolute', () => {
    const { variants, renditions } = parseMasterPlaylist(MASTER, 'http://127.0.0.1:9/show/master.m3u8');
    expect(variants.map((v) => [v.uri, v.bandwidthBps, v.resolution?.height, v.audioGroupId, v.subtitlesGroupId])).toEqual([
      ['http://127.0.0.1:9/show/v0/index.m3u8', 950400, 360, 'group_aud', 'subs'],
      ['http://127.0.0.1:9/show/v1/index.m3u8', 290400, 180, 'group_aud', null],
    ]);
    expect(renditions).toEqual([
      { type: 'audio', groupId: 'group_aud', name: 'audio_2', language: null, isDefault: true, uri: 'http://127.0.0.1:9/show/v2/index.m3u8' },
      { type: 'subtitles', groupId: 'subs', name: 'English', language: 'en', isDefault: false, uri: 'http://127.0.0.1:9/show/subs/index.m3u8' },
    ]);
  });

  it('refuses a media playlist', () => {
    expect(() => parseMasterPlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n', 'http://h/x.m3u8')).toThrow(/not a master playlist/);
  });
});
