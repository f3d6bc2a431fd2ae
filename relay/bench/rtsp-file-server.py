#!/usr/bin/python3
"""RTSP server for `npm run bench:relay`: serves one H.264 file at /cam, paced in real time,
with GStreamer's gst-rtsp-server (Debian's /usr/bin/python3 with python3-gi). The media is
shared: every client of /cam gets the same stream, as cameras serve several viewers.

Usage: rtsp-file-server.py --file clip.mp4 [--port 0]
Prints `READY <port>` on stdout when listening.
"""
import argparse
import signal
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--file', required=True)
    parser.add_argument('--port', type=int, default=0)
    args = parser.parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address('127.0.0.1')
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(f'( filesrc location="{args.file}" ! qtdemux ! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96 config-interval=-1 )')
    factory.set_shared(True)
    server.get_mount_points().add_factory('/cam', factory)
    server.attach(None)
    port = server.get_bound_port()
    print(f'READY {port}', flush=True)
    loop = GLib.MainLoop()
    signal.signal(signal.SIGTERM, lambda *_: loop.quit())
    signal.signal(signal.SIGINT, lambda *_: loop.quit())
    GLib.timeout_add(200, lambda: True)  # lets Python's signal handlers run
    loop.run()
    sys.exit(0)


if __name__ == '__main__':
    main()
