#!/usr/bin/env python3
"""A server's own event-loop time per request, from a JFR recording (docs/PERFORMANCE.md, "The limit probe").

Usage: bench/jfr-busy.py FILE.jfr END REQUESTS [SECONDS]
  FILE.jfr  a recording of the server (GH_JAVA_OPTS / PROBE_JAVA_OPTS of bench/run.sh: -XX:StartFlightRecording=
            filename=FILE.jfr,settings=S.jfc, where S.jfc is a copy of the JDK's profile.jfc with jdk.ExecutionSample and
            jdk.NativeMethodSample every 1 ms)
  END       when wrk's measured run ended, UTC, ISO 8601 (2026-12-03T13:00:53): the time of run.sh's result line
  REQUESTS  the requests wrk counted in that run ("N requests in 20.03s" of <server>-<W>-wrk.txt)
  SECONDS   how long the run measured (default 20)

Counts the event-loop threads' samples (one every ms, in Java or in native code) in the run's middle, 2 s in from
each end, leaving out the idle ones (the top frame is the epoll wait), and divides by the requests wrk counted in that
window (its rate times the window). The figure does not depend on how much CPU other processes left the server: on a
shared machine it is the ratio of two such figures, not of two rates, that says how far a server is from another.
"""
import datetime
import json
import subprocess
import sys

IDLE = {('sun.nio.ch.EPoll', 'wait'), ('io.netty.channel.epoll.Native', 'epollWait'), ('io.netty.channel.epoll.Native', 'epollWait0')}


def main(argv):
    if len(argv) not in (4, 5):
        sys.exit(__doc__)
    path, end, requests = argv[1], argv[2], float(argv[3])
    seconds = float(argv[4]) if len(argv) == 5 else 20.0
    stop = datetime.datetime.fromisoformat(end).replace(tzinfo=datetime.timezone.utc)
    lo, hi = stop - datetime.timedelta(seconds=seconds - 2), stop - datetime.timedelta(seconds=2)
    out = subprocess.run(['jfr', 'print', '--json', '--stack-depth', '1', '--events', 'jdk.ExecutionSample,jdk.NativeMethodSample', path],
                         capture_output=True, text=True, check=True).stdout
    busy = 0
    for event in json.loads(out)['recording']['events']:
        v = event['values']
        thread = (v.get('sampledThread') or {}).get('javaName') or ''
        at = datetime.datetime.fromisoformat(v['startTime'][:26]).replace(tzinfo=datetime.timezone.utc)
        if 'eventloop' not in thread or not lo <= at <= hi:
            continue
        frames = (v.get('stackTrace') or {}).get('frames') or []
        top = (frames[0]['method']['type']['name'].replace('/', '.'), frames[0]['method']['name']) if frames else None
        if top in IDLE:
            continue
        busy += 1
    window = requests * (seconds - 4) / seconds
    print(f'{path}: {busy} busy event-loop samples in {seconds - 4:.0f} s, ~{window:.0f} requests: '
          f'{1000.0 * busy / window:.1f} us of event-loop time per request')


if __name__ == '__main__':
    main(sys.argv)
