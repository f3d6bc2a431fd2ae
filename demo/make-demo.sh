#!/usr/bin/env bash
# Builds the offline demo clip served at /demo/live.m3u8 by demo/vite-plugin.ts.
#
# Run once by hand from anywhere (needs ffmpeg with libx264 and the native aac encoder):
#   bash demo/make-demo.sh
#
# Output (committed): demo/segments/segments.json listing each segment as
# { "uri": "demoNN.ts", "durationSec": <EXTINF seconds> }, and the segment bytes (MPEG-TS,
# H.264 main + AAC-LC 48 kHz stereo, 2 s each, starting on a keyframe) stored as
# demo/segments/demoNN.mpegts. They are served as /demo/segments/demoNN.ts; the on-disk
# extension is not .ts because tsconfig.json and ESLint treat every demo/**/*.ts file as
# TypeScript. No drawtext (fonts may be missing): testsrc2 already moves, and the sine beeps
# once per second so the audio is audible.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

out_dir="demo/segments"
disk_ext="mpegts" # must match SEGMENT_DISK_EXTENSION in demo/vite-plugin.ts
clip_sec=20
max_bytes=$((2 * 1024 * 1024))

command -v ffmpeg >/dev/null || { echo "ffmpeg not found on PATH" >&2; exit 1; }

# ffmpeg writes demoNN.ts plus its playlist into a scratch dir; only the results are moved.
work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT
playlist="$work_dir/index.m3u8"

# 25 fps, GOP of exactly 50 frames (2 s) with no scene-cut keyframes, so every 2 s HLS
# segment starts on an IDR frame and lasts exactly 2 s. Single-threaded + bitexact so that
# re-running the script reproduces the committed bytes.
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=426x240:rate=25:duration=${clip_sec}" \
  -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=${clip_sec}" \
  -map 0:v:0 -map 1:a:0 \
  -threads 1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact \
  -c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p \
  -b:v 250k -maxrate 300k -bufsize 500k \
  -g 50 -keyint_min 50 -sc_threshold 0 \
  -c:a aac -ar 48000 -ac 2 -b:a 64k \
  -t "$clip_sec" \
  -f hls -hls_time 2 -hls_list_size 0 -hls_playlist_type vod \
  -hls_segment_type mpegts \
  -hls_segment_filename "$work_dir/demo%02d.ts" \
  "$playlist"

# Turn the playlist ffmpeg wrote into segments.json: each #EXTINF:<sec>, line is followed
# by the segment URI line.
awk '
  BEGIN { n = 0; printf "{\n  \"segments\": [\n" }
  /^#EXTINF:/ { d = substr($0, 9); sub(/,.*/, "", d); pending = d + 0; have = 1; next }
  /^#/ || /^[[:space:]]*$/ { next }
  have {
    if (n > 0) printf ",\n"
    printf "    { \"uri\": \"%s\", \"durationSec\": %s }", $0, pending
    n++; have = 0
  }
  END {
    printf "\n  ]\n}\n"
    if (n == 0) { print "no segments found in ffmpeg playlist" > "/dev/stderr"; exit 1 }
  }
' "$playlist" > "$work_dir/segments.json"
rm -f "$playlist"

rm -rf "$out_dir"
mkdir -p "$out_dir"
mv "$work_dir/segments.json" "$out_dir/segments.json"
for f in "$work_dir"/demo*.ts; do
  name="$(basename "$f" .ts)"
  mv "$f" "$out_dir/$name.$disk_ext"
done

count="$(grep -c '"uri"' "$out_dir/segments.json")"
total_bytes="$(find "$out_dir" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')"
echo "demo: $count segments, $total_bytes bytes in $out_dir (limit $max_bytes)"
if [ "$total_bytes" -gt "$max_bytes" ]; then
  echo "demo: $out_dir is larger than 2 MB" >&2
  exit 1
fi
