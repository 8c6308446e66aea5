#!/usr/bin/env python3
"""chaos/proxy.py: TCP proxies whose behaviour a test switches at run time (stdlib only).

One process serves several named proxies and one control port:

    proxy.py --control 127.0.0.1:PORT \
             --proxy pg-1=10.231.7.1:40001=127.0.0.1:5432 \
             --proxy lb=127.0.0.1:40010=10.231.7.11:8080,10.231.7.12:8080

A proxy listens on LISTEN and forwards to the first TARGET that accepts a connection (several targets make
a fail-over "load balancer"). Its mode:

    pass       forward both ways (the default)
    refuse     close every existing connection and refuse new ones (accept, then close at once: the
               client sees a reset or EOF, like a dead server with the port still bound)
    blackhole  accept and read, never forward nor answer; existing connections go silent too (like a
               frozen server or a dropped route: the client only learns by its own timeouts)
    delay      forward, each chunk held MS milliseconds in each direction before the next one is read (a slow
               server: latency that also caps the throughput)
    latency    forward, each chunk delivered MS milliseconds after it arrived, in order, reading on meanwhile
               (a long link: one-way latency without a throughput cap; what tc netem's delay would do)

Control (plain HTTP/1.0 on the control port, answers JSON):

    GET /mode?name=pg-*&mode=refuse        (name is a shell-style pattern; several proxies at once)
    GET /mode?name=redis-2&mode=delay&ms=300
    GET /mode?name=link-*&mode=latency&ms=50
    GET /status                            every proxy's mode and its counters

Switching to pass heals: new connections forward again, and blackholed connections, which were
swallowing bytes, are closed (their bytes are lost, as after a real network fault), so clients reconnect.
Switching from latency to latency with another MS keeps the connections (a link that gets slower or faster).
"""
import argparse
import asyncio
import fnmatch
import json
import signal
import sys
import time
import urllib.parse


class Proxy:
    def __init__(self, name, listen, targets):
        self.name = name
        self.listen = listen
        self.targets = targets
        self.mode = "pass"
        self.delay_ms = 0
        self.conns = set()  # (client writer, upstream writer or None)
        self.accepted = 0
        self.refused = 0
        self.server = None

    def set_mode(self, mode, ms):
        self.mode = mode
        self.delay_ms = ms
        if mode in ("refuse", "pass"):
            # refuse cuts everything; pass (a heal) closes connections that were blackholed or delayed so
            # that nobody keeps a half-dead stream
            for c, u in list(self.conns):
                close(c)
                close(u)
            self.conns.clear()

    async def handle(self, reader, writer):
        self.accepted += 1
        if self.mode == "refuse":
            self.refused += 1
            try:
                writer.transport.abort()
            except Exception:
                pass
            return
        if self.mode == "blackhole":
            entry = (writer, None)
            self.conns.add(entry)
            await swallow(reader)
            self.conns.discard(entry)
            close(writer)
            return
        upstream = None
        for host, port in self.targets:
            try:
                ur, uw = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
                upstream = (ur, uw)
                break
            except Exception:
                continue
        if upstream is None:
            close(writer)
            return
        ur, uw = upstream
        entry = (writer, uw)
        self.conns.add(entry)
        try:
            await asyncio.gather(self.pump(reader, uw), self.pump(ur, writer))
        except asyncio.CancelledError:
            pass  # shutting down
        finally:
            self.conns.discard(entry)
            close(writer)
            close(uw)

    async def pump(self, reader, writer):
        """One direction. Chunks go through a queue to a writer task, which delivers each one when it is due:
        at once, or (latency) MS ms after it was read; the reader keeps reading meanwhile."""
        loop = asyncio.get_running_loop()
        queue = asyncio.Queue()

        async def deliver():
            while True:
                item = await queue.get()
                if item is None:
                    return
                due, data = item
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()

        sender = asyncio.create_task(deliver())
        try:
            while not sender.done():
                data = await reader.read(65536)
                if not data:
                    break
                while self.mode == "blackhole":
                    # silent: keep the bytes, answer nothing, until healed (the heal closes us)
                    await asyncio.sleep(0.05)
                    if writer.is_closing():
                        return
                if self.mode == "delay" and self.delay_ms > 0:
                    await asyncio.sleep(self.delay_ms / 1000)
                if self.mode == "refuse":
                    break
                lag = self.delay_ms / 1000 if self.mode == "latency" else 0
                queue.put_nowait((loop.time() + lag, data))
            queue.put_nowait(None)  # what was read is still delivered, then the stream ends
            await sender
        except Exception:
            pass
        finally:
            sender.cancel()
            close(writer)


async def swallow(reader):
    try:
        while await reader.read(65536):
            pass
    except Exception:
        pass


def close(w):
    if w is None:
        return
    try:
        w.close()
    except Exception:
        pass


def parse_addr(s):
    host, _, port = s.rpartition(":")
    return host, int(port)


async def control(proxies, reader, writer):
    try:
        line = (await asyncio.wait_for(reader.readline(), 5)).decode("latin-1")
        while (await asyncio.wait_for(reader.readline(), 5)) not in (b"\r\n", b"\n", b""):
            pass
        parts = line.split()
        url = urllib.parse.urlsplit(parts[1] if len(parts) > 1 else "/")
        q = dict(urllib.parse.parse_qsl(url.query))
        status, body = 200, {}
        if url.path == "/mode":
            mode = q.get("mode", "")
            if mode not in ("pass", "refuse", "blackhole", "delay", "latency"):
                status, body = 400, {"error": "mode must be pass, refuse, blackhole, delay or latency"}
            else:
                hit = [p for p in proxies.values() if fnmatch.fnmatchcase(p.name, q.get("name", ""))]
                if not hit:
                    status, body = 404, {"error": "no proxy matches"}
                for p in hit:
                    p.set_mode(mode, int(q.get("ms", "0")))
                body = body or {"changed": [p.name for p in hit], "mode": mode, "at": time.time()}
        elif url.path == "/status":
            body = {p.name: {"mode": p.mode, "delay_ms": p.delay_ms, "open": len(p.conns), "accepted": p.accepted,
                             "refused": p.refused, "listen": "%s:%d" % p.listen} for p in proxies.values()}
        else:
            status, body = 404, {"error": "unknown path"}
        data = json.dumps(body).encode()
        writer.write(b"HTTP/1.0 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (status, len(data)) + data)
        await writer.drain()
    except Exception:
        pass
    finally:
        close(writer)


async def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--control", required=True, help="host:port of the control port")
    ap.add_argument("--proxy", action="append", default=[], help="NAME=LISTEN_HOST:PORT=TARGET_HOST:PORT[,TARGET...]")
    ap.add_argument("--ready-file", help="written once every port listens")
    args = ap.parse_args()
    proxies = {}
    for spec in args.proxy:
        name, listen, targets = spec.split("=")
        p = Proxy(name, parse_addr(listen), [parse_addr(t) for t in targets.split(",")])
        p.server = await asyncio.start_server(p.handle, p.listen[0], p.listen[1], reuse_address=True)
        proxies[name] = p
    host, port = parse_addr(args.control)
    ctl = await asyncio.start_server(lambda r, w: control(proxies, r, w), host, port, reuse_address=True)
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write("ready\n")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    ctl.close()
    for p in proxies.values():
        p.server.close()
        p.set_mode("refuse", 0)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
