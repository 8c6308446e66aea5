#!/usr/bin/env python3
"""chaos/scenarios.py: the fault scenarios of chaos/chaos.sh (Python 3.11, stdlib only).

Each scenario: start the workloads, inject a fault, keep the workloads running during it, heal, keep them
running after, stop, verify (admin writes read back on every node), and write OUT/<scenario>/history.jsonl
(every operation, see chaos/gh.py) and OUT/<scenario>/figures.json (times measured by the scenario).
chaos/history.py checks the histories afterwards; this file measures, it does not judge.
"""
import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gh import Deployment, Gatehouse, History, Http, UserSession, error_of, h, hidden, now  # noqa: E402

PROFILES = {
    # seconds and sizes; ci must keep the whole run under ~6 minutes on 2 cores
    "ci": dict(before=3, after=5, race=6, batch=4, pace=0.25, crash_down=6, pause=20, partition=15, dep_fault=6,
               api_revocations=40, clock_skew=[20000, -20000], clock_hold=10, rolling_gap=2, refresh_race=6, sessions=4, held_codes=10,
               latency=[(50, 8), (1500, 12)], orphans=10),
    "long": dict(before=10, after=20, race=16, batch=8, pace=0.1, crash_down=20, pause=25, partition=60, dep_fault=30,
                 api_revocations=200, clock_skew=[20000, -20000], clock_hold=30, rolling_gap=5, refresh_race=16, sessions=10, held_codes=20,
                 latency=[(20, 20), (200, 30), (1500, 30)], orphans=30),
}
ALL = ["crash", "pause", "partition", "orphan", "latency", "redis", "postgres", "api-restart", "rolling", "clock", "partition-api"]
# partition-api: long profile only
CI_DEFAULT = [s for s in ALL if s not in ("partition-api",)]
# authorize.code_ttl as the nodes run it (conf/gatehouse.yaml's default)
CODE_LIFETIME_S = 60


def log(msg):
    print("[scenario %s] %s" % (time.strftime("%H:%M:%S", time.gmtime()), msg), file=sys.stderr, flush=True)


class Cluster:
    """Processes and faults: pids from chaos.sh's pid files, restarts through its launchers."""

    def __init__(self, env):
        self.env = env
        self.work = env["work"]
        self.names = [n["name"] for n in env["nodes"]]
        self.node = {n["name"]: n for n in env["nodes"]}

    def pid(self, name):
        with open(os.path.join(self.work, "%s.pid" % ("api" if name == "api" else "node-" + name[1:]))) as f:
            return int(f.read().strip())

    def signal(self, name, sig):
        try:
            os.kill(self.pid(name), sig)
        except ProcessLookupError:
            pass

    def wait_exit(self, name, timeout=30):
        pid = self.pid(name)
        end = time.time() + timeout
        while time.time() < end:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            # a child of chaos.sh's shell, not ours: poll /proc for a zombie too
            try:
                with open("/proc/%d/stat" % pid) as f:
                    if f.read().split(") ")[1].startswith("Z"):
                        return True
            except FileNotFoundError:
                return True
            time.sleep(0.05)
        return False

    def alive(self, name):
        try:
            with open("/proc/%d/stat" % self.pid(name)) as f:
                return not f.read().split(") ")[1].startswith("Z")
        except (FileNotFoundError, ProcessLookupError):
            return False

    def start(self, name, clock_offset_ms=None):
        script = os.path.join(self.work, "start-api.sh" if name == "api" else "start-node-%s.sh" % name[1:])
        subprocess.run(["bash", script] + ([str(clock_offset_ms)] if clock_offset_ms else []), check=True)

    # -- network faults (nftables inside a node's namespace) -------------------------------------

    def nft(self, name, script):
        ns = self.node[name]["ns"]
        subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"], input=script.encode(), check=True)

    def isolate(self, name, peers=True, api=True):
        """Cut `name` from the other nodes (peers) and/or from the API's cluster ports (api); PostgreSQL, Redis
        and the driver (all on the bridge address, other ports) still reach it: a partition of the cluster
        network only."""
        me = self.node[name]
        host = self.env["host_ip"]
        others = ", ".join(self.node[o]["host"] for o in self.names if o != name)
        rules_in, rules_out = [], []
        if peers:
            rules_in.append(f"ip saddr {{ {others} }} drop")
            rules_out.append(f"ip daddr {{ {others} }} drop")
        if api:
            api_hz = self.env["api"]["hz"]
            rules_in += [f"ip saddr {host} tcp dport {{ {me['hz']}, {me['eb']} }} drop", f"ip saddr {host} tcp sport {api_hz} drop"]
            rules_out += [f"ip daddr {host} tcp dport {api_hz} drop", f"ip daddr {host} tcp sport {{ {me['hz']}, {me['eb']} }} drop"]
        nl = "\n    "
        self.nft(name, f"""
table inet chaos {{
  chain input {{
    type filter hook input priority 0; policy accept;
    {nl.join(rules_in)}
  }}
  chain output {{
    type filter hook output priority 0; policy accept;
    {nl.join(rules_out)}
  }}
}}
""")

    def route_links(self):
        """Every node's Hazelcast and event-bus connections to its peers go through the link proxies (env
        "links", one per direction and port): a DNAT rule per peer port inside each node's namespace for new
        connections, and a reset for every packet still flowing directly between two nodes, so that the
        connections made before reconnect through the links. Traffic with the API, PostgreSQL, Redis and
        clients stays direct."""
        host = self.env["host_ip"]
        for name in self.names:
            me = self.node[name]
            peers = [self.node[o] for o in self.names if o != name]
            ips = ", ".join(p["host"] for p in peers)
            ports = ", ".join(sorted({str(p[k]) for p in peers + [me] for k in ("hz", "eb")}))
            dnat = []
            for link in self.env["links"]:
                if link["from"] != name:
                    continue
                to = self.node[link["to"]]
                dnat.append(f"ip daddr {to['host']} tcp dport {to['hz']} dnat to {host}:{link['hz']}")
                dnat.append(f"ip daddr {to['host']} tcp dport {to['eb']} dnat to {host}:{link['eb']}")
            nl = "\n    "
            self.nft(name, f"""
table ip chaos_links {{
  chain nat_out {{
    type nat hook output priority -100; policy accept;
    {nl.join(dnat)}
  }}
  chain out {{
    type filter hook output priority 0; policy accept;
    ip daddr {{ {ips} }} tcp dport {{ {ports} }} reject with tcp reset
    ip daddr {{ {ips} }} tcp sport {{ {ports} }} reject with tcp reset
  }}
  chain in {{
    type filter hook input priority 0; policy accept;
    ip saddr {{ {ips} }} tcp dport {{ {ports} }} reject with tcp reset
    ip saddr {{ {ips} }} tcp sport {{ {ports} }} reject with tcp reset
  }}
}}
""")

    def unroute_links(self):
        """The rules of route_links gone: new connections between the nodes are direct again (connections
        through the links stay so until the links close them)."""
        for name in self.names:
            subprocess.run(["ip", "netns", "exec", self.node[name]["ns"], "nft", "delete", "table", "ip", "chaos_links"],
                           check=False, stderr=subprocess.DEVNULL)

    def heal_network(self, name):
        ns = self.node[name]["ns"]
        subprocess.run(["ip", "netns", "exec", ns, "nft", "delete", "table", "inet", "chaos"], check=False,
                       stderr=subprocess.DEVNULL)


class Proxies:
    def __init__(self, env, http):
        self.addr = tuple(env["control"])
        self.http = http

    async def mode(self, pattern, mode, ms=0):
        a = await self.http.request(self.addr, "GET", "/mode?name=%s&mode=%s&ms=%d" % (pattern, mode, ms), timeout=5)
        if a.status != 200:
            raise RuntimeError("proxy control: %s %s" % (a.status, a.text()))
        log("proxies %s -> %s%s" % (pattern, mode, " %d ms" % ms if mode == "delay" else ""))


class Scenario:
    """Shared state of one scenario's workloads."""

    def __init__(self, name, out, dep, env, prof):
        self.name = name
        self.dir = os.path.join(out, name)
        os.makedirs(self.dir, exist_ok=True)
        self.hist = History(os.path.join(self.dir, "history.jsonl"))
        self.dep = dep
        self.env = env
        self.p = prof
        self.http = Http(timeout=10)
        self.gh = Gatehouse(dep, self.http)
        self.stop = asyncio.Event()
        self.phase = "before"
        self.figures = {}
        self.meta = {"revocation_bound_s": 10.0}
        self.revoked = []       # (token, ack time) of acknowledged revocations, in memory only
        self.acked_writes = []
        self.admin_tokens = {}
        self.session = None
        self.down = set()       # nodes the workloads leave alone (killed, restarting)
        self.tasks = []
        self.t0 = now()

    def rec(self, **kv):
        kv.setdefault("phase", self.phase)
        self.hist.rec(**kv)

    def set_phase(self, phase):
        self.phase = phase
        self.rec(w="phase", t=now(), name=phase)
        log("%s: %s" % (self.name, phase))

    def live_nodes(self):
        return [n for n in self.dep.nodes if n not in self.down] or list(self.dep.nodes)

    def start_workloads(self):
        loops = [self.codes_loop(), self.refresh_loop(), self.revocation_loop(), self.observer_loop(), self.write_loop(),
                 self.readiness_loop()]
        self.tasks = [asyncio.create_task(self.guard(l)) for l in loops]

    async def guard(self, coro):
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception as e:
            log("%s: workload failed: %r" % (self.name, e))
            self.rec(w="workload_error", t=now(), error=repr(e)[:200])

    async def stop_workloads(self):
        self.stop.set()
        await asyncio.wait(self.tasks, timeout=30)
        for t in self.tasks:
            t.cancel()

    # -- workloads -------------------------------------------------------------------------------

    async def ensure_session(self):
        for attempt in range(20):
            if self.stop.is_set():
                return None
            node = random.choice(self.live_nodes())
            try:
                s = await self.gh.sign_in(node)
                self.rec(w="sign_in", t=now(), node=node, st="ok")
                self.session = s
                return s
            except RuntimeError as e:
                self.rec(w="sign_in", t=now(), node=node, st="failed", why=str(e)[:120])
                await asyncio.sleep(0.5)
        return None

    async def codes_loop(self):
        """Code races: `batch` fresh codes, each redeemed `race` times at once, spread over every node."""
        race, batch = self.p["race"], self.p["batch"]
        while not self.stop.is_set():
            if self.session is None and await self.ensure_session() is None:
                continue
            issued = await asyncio.gather(*(self.issue_code() for _ in range(batch)))
            codes = [c for c in issued if c is not None]
            if not codes:
                await asyncio.sleep(0.3)
                continue
            await asyncio.gather(*(self.race_code(c, v, race) for c, v in codes))
            await asyncio.sleep(self.p["pace"])

    async def issue_code(self):
        node = random.choice(self.live_nodes())
        t0 = now()
        s = self.session
        if s is None:
            return None
        code, verifier = await s.code(node, timeout=8)
        if code is None:
            self.rec(w="code_issue", t0=t0, t1=now(), node=node, st=verifier)
            if verifier == "authorize_not_to_client":  # the session is gone (sent to the login page)
                self.session = None
            return None
        self.rec(w="code_issue", t0=t0, t1=now(), node=node, st=302, key=h(code))
        return code, verifier

    async def race_code(self, code, verifier, race):
        nodes = self.live_nodes()
        key = h(code)

        async def one(i):
            node = nodes[i % len(nodes)]
            t0 = now()
            st, a = await self.gh.redeem(node, code, verifier, timeout=10)
            rec = dict(w="redeem", key=key, node=node, t0=t0, t1=now(), st=st, err=error_of(a))
            if st == 503:
                rec["ra"] = a.headers.get("retry-after")
            if st == 200:
                j = a.json()
                rec["at"] = h(j.get("access_token", ""))
            self.rec(**rec)
        await asyncio.gather(*(one(i) for i in range(race)))

    async def refresh_loop(self):
        """Refresh races: a code redeemed once (a race would make its replays revoke the grant), then its
        refresh token presented `refresh_race` times at once over the live nodes."""
        race = self.p["refresh_race"]
        while not self.stop.is_set():
            if self.session is None:
                await asyncio.sleep(0.3)
                continue
            node = random.choice(self.live_nodes())
            code, verifier = await self.session.code(node, timeout=8)
            if code is None:
                await asyncio.sleep(0.3)
                continue
            t0 = now()
            rnode = random.choice(self.live_nodes())
            st, a = await self.gh.redeem(rnode, code, verifier, timeout=10)
            rt = (a.json() or {}).get("refresh_token") if st == 200 else None
            self.rec(w="redeem", key=h(code), node=rnode, t0=t0, t1=now(), st=st, err=error_of(a), single=True,
                     **({"ra": a.headers.get("retry-after")} if st == 503 else {}))
            if not rt:
                await asyncio.sleep(0.3)
                continue
            key = h(rt)
            nodes = self.live_nodes()

            async def one(i):
                node = nodes[i % len(nodes)]
                t0 = now()
                st, a = await self.gh.refresh(node, rt, timeout=10)
                rec = dict(w="refresh", key=key, node=node, t0=t0, t1=now(), st=st, err=error_of(a))
                if st == 503:
                    rec["ra"] = a.headers.get("retry-after")
                if st == 200:
                    rec["new"] = h(a.json().get("refresh_token", ""))
                self.rec(**rec)
            await asyncio.gather(*(one(i) for i in range(race)))
            await asyncio.sleep(self.p["pace"])

    async def revocation_loop(self):
        """A fresh access token, accepted by the API, then revoked on a random node; the ack time is kept."""
        while not self.stop.is_set():
            node = random.choice(self.live_nodes())
            st, a = await self.gh.cc_token(node, timeout=8)
            if st != 200:
                self.rec(w="cc_token", t=now(), node=node, st=st)
                await asyncio.sleep(0.2)
                continue
            tok = a.json()["access_token"]
            rnode = random.choice(self.live_nodes())
            t0 = now()
            st, a = await self.gh.revoke(rnode, tok, timeout=40)
            t1 = now()
            rec = dict(w="revoke", key=h(tok), node=rnode, t0=t0, t1=t1, st=st, err=error_of(a))
            if st == 503:
                rec["ra"] = a.headers.get("retry-after")
            self.rec(**rec)
            if st == 200:
                self.revoked.append((tok, t1))
            await asyncio.sleep(0.15)

    async def observer_loop(self):
        """Probes revoked tokens on every node's introspection and on the API: the newest few and a sample."""
        while not self.stop.is_set():
            if not self.revoked:
                await asyncio.sleep(0.2)
                continue
            pick = self.revoked[-3:] + random.sample(self.revoked, min(3, len(self.revoked)))
            probes = []
            for tok, _ in {t: a for t, a in pick}.items():
                for node in self.dep.nodes:
                    probes.append(self.observe(node, tok))
                probes.append(self.observe("api", tok))
                if self.dep.api2:
                    probes.append(self.observe("api2", tok))
            await asyncio.gather(*probes)
            await asyncio.sleep(0.25)

    async def observe(self, target, tok):
        t0 = now()
        if target in ("api", "api2"):
            st, a = await self.gh.api_user(tok, timeout=5, api=target)
            active = st == 200
        else:
            st, a = await self.gh.introspect(target, tok, timeout=5)
            active = st == 200 and bool((a.json() or {}).get("active"))
        self.rec(w="obs", key=h(tok), target=target, t0=t0, t1=now(), st=st, active=active)

    async def admin_token(self, node, stale=None):
        """This scenario's admin access token for `node` (a new one when `stale` was refused: it expired)."""
        tok = self.admin_tokens.get(node)
        if tok is None or tok == stale:
            tok = await self.gh.admin_token(node)
            if tok:
                self.admin_tokens[node] = tok
        return tok

    async def write_loop(self):
        """Admin writes: a new client per write; 201 is an acknowledged write that must survive."""
        n = 0
        while not self.stop.is_set():
            node = random.choice(self.live_nodes())
            tok = await self.admin_token(node)
            if tok is None:
                self.rec(w="admin_token", t=now(), node=node, st="failed")
                await asyncio.sleep(0.3)
                continue
            n += 1
            cid = "chaos-w-%s-%d-%d" % (self.name, int(self.t0), n)
            t0 = now()
            st, a = await self.gh.admin(node, tok, "POST", "/clients", {
                "client_id": cid, "grant_types": ["client_credentials"], "scopes": ["read:users"]}, timeout=10)
            if st == 401:  # the admin token expired (10 min): nothing was written; a new token, a new write
                await self.admin_token(node, stale=tok)
                continue
            rec = dict(w="write", key=cid, node=node, t0=t0, t1=now(), st=st, err=error_of(a))
            if st == 503:
                rec["ra"] = a.headers.get("retry-after")
            self.rec(**rec)
            if st == 201:
                self.acked_writes.append(cid)
            await asyncio.sleep(0.1)

    async def readiness_loop(self):
        while not self.stop.is_set():
            async def one(node):
                t0 = now()
                st, j = await self.gh.ready(node, timeout=3)
                checks = (j or {}).get("checks") if isinstance(j, dict) else None
                down = sorted(k for k, v in (checks or {}).items() if v == "DOWN")
                self.rec(w="ready", node=node, t=t0, st=st, down=down)
            await asyncio.gather(*(one(n) for n in self.dep.nodes))
            await asyncio.sleep(0.1)

    async def verify_writes(self, deadline_s=60):
        """After the heal: every acknowledged write read back on every node (503 retried until the deadline),
        16 reads at a time."""
        end = now() + deadline_s
        gate = asyncio.Semaphore(16)

        async def one(cid, node):
            async with gate:
                while True:
                    tok = await self.admin_token(node)
                    st, a = (await self.gh.admin(node, tok, "GET", "/clients/" + cid, timeout=10)) if tok else ("no_token", None)
                    if st in (200, 404) or now() > end:
                        break
                    if st == 401:
                        await self.admin_token(node, stale=tok)
                    await asyncio.sleep(0.5)
                self.rec(w="verify", key=cid, node=node, t=now(), st=st, phase="verify")
        await asyncio.gather(*(one(cid, node) for cid in self.acked_writes for node in self.dep.nodes))

    # -- helpers for the scenarios -------------------------------------------------------------------

    async def start_node(self, cl, node, timeout=240, clock_offset_ms=None):
        """Starts `node` and waits until it is ready, restarting it (as a supervisor would) when it exits
        during its start. Seconds from the first start to ready, or None."""
        t0 = now()
        cl.start(node, clock_offset_ms)
        restarts = 0
        while now() - t0 < timeout:
            st, _ = await self.gh.ready(node, timeout=1.5)
            if st == 200:
                return round(now() - t0, 2)
            if not cl.alive(node):
                restarts += 1
                self.rec(w="start_failed", t=now(), node=node, restarts=restarts)
                self.figures.setdefault("starts_that_exited", []).append("%s at %+.1f s" % (node, now() - t0))
                log("%s exited during its start; starting it again" % node)
                cl.start(node, clock_offset_ms)
            await asyncio.sleep(0.1)
        return None

    async def wait_ready(self, node, timeout, want=200):
        """Seconds until `node`'s /health/ready answers `want` (None: not within timeout)."""
        t0 = now()
        while now() - t0 < timeout:
            st, _ = await self.gh.ready(node, timeout=1.5)
            if (st == want) if want == 200 else (st != 200):
                return round(now() - t0, 2)
            await asyncio.sleep(0.05)
        return None

    async def sleep(self, s):
        try:
            await asyncio.wait_for(self.stop.wait(), s)
        except asyncio.TimeoutError:
            pass

    async def finish(self):
        """The "after" phase: the workloads run on a healed deployment for a while, then stop."""
        self.set_phase("after")
        await self.sleep(self.p["after"])
        await self.stop_workloads()

    def save(self):
        with open(os.path.join(self.dir, "figures.json"), "w") as f:
            json.dump({"figures": self.figures, "meta": self.meta}, f, indent=1, sort_keys=True)
        self.hist.close()
        self.http.close()


# ---------------------------------------------------------------------------------------------------
# the scenarios


async def s_crash(sc, cl, px):
    """kill -9 of n1 under load; restart it."""
    sc.start_workloads()
    await sc.sleep(sc.p["before"])
    sc.set_phase("fault")
    t_kill = now()
    cl.signal("n1", signal.SIGKILL)
    sc.down.add("n1")
    sc.rec(w="inject", t=t_kill, what="kill -9 n1")
    cl.wait_exit("n1", 10)
    # the others: do they stay ready? (a 2-of-3 majority remains)
    await sc.sleep(sc.p["crash_down"])
    sc.set_phase("heal")
    t_start = now()
    sc.rec(w="inject", t=t_start, what="restart n1")
    sc.figures["n1_ready_after_restart_s"] = await sc.start_node(cl, "n1")
    sc.down.discard("n1")
    await sc.finish()
    sc.figures["t_kill"] = t_kill
    sc.figures["t_restart"] = t_start


async def s_pause(sc, cl, px):
    """SIGSTOP n1 long enough to be evicted, SIGCONT; codes issued before the pause on n1 redeemed after."""
    sc.start_workloads()
    await sc.sleep(sc.p["before"])
    # codes issued on n1 just before the pause, redeemed after the resume on every node (n1 first)
    held = await hold_codes(sc, "n1", 20)
    sc.set_phase("fault")
    t_stop = now()
    cl.signal("n1", signal.SIGSTOP)
    sc.down.add("n1")
    sc.rec(w="inject", t=t_stop, what="SIGSTOP n1")
    await sc.sleep(sc.p["pause"])
    sc.set_phase("heal")
    t_cont = now()
    cl.signal("n1", signal.SIGCONT)
    sc.rec(w="inject", t=t_cont, what="SIGCONT n1")

    # right after the resume: the held codes raced on n1 (first) and the others; n1's own readiness meanwhile
    ready = asyncio.create_task(sc.wait_ready("n1", 90))
    await asyncio.gather(*(race_held(sc, c, v, ["n1", "n1", "n2", "n3", "n1", "n2"]) for c, v in held))
    sc.figures["held_codes"] = len(held)
    sc.figures["n1_ready_after_resume_s"] = await ready
    sc.down.discard("n1")
    await sc.finish()
    sc.figures.update(t_stop=t_stop, t_cont=t_cont)


async def s_partition(sc, cl, px):
    """n1 | n2 n3 (and the API) on the cluster network; Postgres, Redis and clients still reach everybody.
    Login sessions made before the cut: half are signed out on the majority during it; the minority must not
    serve any of them, and after the merge a signed-out one must stay signed out on every node (issue 12 item 1:
    a logout on one side must not be undone by a merge), while the others still work."""
    sc.start_workloads()
    await sc.sleep(sc.p["before"])
    sessions = await signed_in_sessions(sc, "n2", sc.p["sessions"])
    held = await hold_codes(sc, "n2", sc.p["held_codes"])
    sc.set_phase("fault")
    t_cut = now()
    cl.isolate("n1")
    sc.rec(w="inject", t=t_cut, what="partition n1 | n2 n3 api")
    sc.figures["n1_not_ready_after_cut_s"] = await sc.wait_ready("n1", sc.p["partition"], want="down")
    # codes issued before the cut, raced on both sides once they have seen each other go but before the majority
    # has removed n1 (a code whose map partition was n1's then times out with 503)
    await sc.sleep(max(0, 8 - (now() - t_cut)))
    await asyncio.gather(*(race_held(sc, c, v, ["n1", "n2", "n3", "n2", "n3"]) for c, v in held))
    sc.figures["held_codes"] = len(held)
    for key, cookies in sessions[::2]:
        await sign_out(sc, key, cookies, "n2")
    for key, cookies in sessions:
        await probe_session(sc, key, cookies, "n1")
    # each held code no attempt redeemed is retried on the majority once it serves: it must redeem (finding K3)
    sc.figures["n2_ready_for_the_retry_s"] = await sc.wait_ready("n2", 30)
    await retry_unredeemed(sc, held)
    await sc.sleep(max(0, sc.p["partition"] - (now() - t_cut)))
    sc.set_phase("heal")
    t_heal = now()
    cl.heal_network("n1")
    sc.rec(w="inject", t=t_heal, what="heal partition")
    sc.figures["n1_ready_after_heal_s"] = await sc.wait_ready("n1", 240)
    await sc.sleep(2)  # the merge follows readiness by a moment; probe the merged state
    for key, cookies in sessions:
        for node in ("n1", "n2", "n3"):
            await probe_session(sc, key, cookies, node)
    await sc.finish()
    sc.figures.update(t_cut=t_cut, t_heal=t_heal)


async def s_latency(sc, cl, px):
    """Latency between the nodes, in steps (profile "latency": (one-way ms, seconds) each): their Hazelcast and
    event-bus connections go through the link proxies, which deliver every chunk that late (the API, PostgreSQL,
    Redis and clients stay direct). The first step is below cluster.call_timeout (a cluster across zones), the
    last above it (a round trip of 3 s against a 2 s timeout): calls time out and answer 503, nothing may be
    redeemed twice, and codes held from before the fault and raced during the last step must still redeem once
    the links are fast again (chaos finding K3: a call that timed out may still run)."""
    sc.start_workloads()
    await sc.sleep(sc.p["before"])
    steps = sc.p["latency"]
    held = []
    t_first = now()
    for k, (ms, secs) in enumerate(steps):
        if k == len(steps) - 1:
            # codes issued just before the slowest step (on links still fast enough), so that they are still
            # well within their lifetime when retried after the heal
            held = await hold_codes(sc, "n2", sc.p["held_codes"])
        sc.set_phase("fault:%dms" % ms)
        t_f = now()
        await px.mode("link-*", "latency", ms)
        if k == 0:
            cl.route_links()
        sc.rec(w="inject", t=t_f, what="latency %d ms one way between the nodes" % ms)
        if k == len(steps) - 1:
            # the held codes, raced on every node once the slowest links carry every connection
            await sc.sleep(3)
            await asyncio.gather(*(race_held(sc, c, v, ["n1", "n2", "n3", "n2", "n3"]) for c, v in held))
            sc.figures["held_codes"] = len(held)
        await sc.sleep(max(0, secs - (now() - t_f)))
    sc.set_phase("heal")
    t_heal = now()
    cl.unroute_links()
    await px.mode("link-*", "pass")  # closes the connections through the links: they reconnect directly
    sc.rec(w="inject", t=t_heal, what="latency removed")
    rs = [await sc.wait_ready(n, 60) for n in sc.dep.nodes]
    sc.figures["all_ready_after_heal_s"] = None if None in rs else round(now() - t_heal, 2)
    await retry_unredeemed(sc, held)
    await sc.finish()
    sc.figures.update(t_first_fault=t_first, t_heal=t_heal, steps_ms=[ms for ms, _ in steps])


async def s_orphan(sc, cl, px):
    """K1's window on purpose: revocations acknowledged by a node that can tell no one before it dies. n1 is cut
    from its peers and the API (nftables) and its Redis goes silent, so neither the event bus nor the Redis
    channel carries what it records; tokens accepted by the API are revoked on n1 (it acknowledges once the
    PostgreSQL write is done), and n1 is killed (-9) right after. Everything is healed at once: the other nodes
    and both APIs must refuse those tokens within the bound, from the durable list's change feed (the nodes'
    catch-up, then their publishes), as history.py checks for every acknowledged revocation."""
    sc.start_workloads()
    await sc.sleep(sc.p["before"])
    toks = []
    for _ in range(sc.p["orphans"]):
        st, a = await sc.gh.cc_token("n2")
        if st == 200:
            tok = a.json()["access_token"]
            st_api, _ = await sc.gh.api_user(tok)
            sc.rec(w="api_control", t=now(), st=st_api, node="n2")
            toks.append(tok)
    sc.set_phase("fault")
    t_cut = now()
    cl.isolate("n1")
    await px.mode("redis-n1", "blackhole")
    sc.rec(w="inject", t=t_cut, what="n1 cut from its peers and the API, its Redis silent")
    sc.down.add("n1")  # the workloads leave it alone; only the revocations below go to it
    acked = 0
    orphans = []
    for tok in toks:
        t0 = now()
        st, a = await sc.gh.revoke("n1", tok, timeout=10)
        t1 = now()
        rec = dict(w="revoke", key=h(tok), node="n1", t0=t0, t1=t1, st=st, err=error_of(a), orphan=True)
        if st == 503:
            rec["ra"] = a.headers.get("retry-after")
        sc.rec(**rec)
        if st == 200:
            acked += 1
            orphans.append(tok)
            sc.revoked.append((tok, t1))
    t_kill = now()
    cl.signal("n1", signal.SIGKILL)
    sc.rec(w="inject", t=t_kill, what="kill -9 n1")
    cl.wait_exit("n1", 10)
    sc.figures["orphan_revocations_acknowledged"] = acked
    sc.figures["orphan_revocations_tried"] = len(toks)
    sc.set_phase("heal")
    t_heal = now()
    cl.heal_network("n1")
    await px.mode("redis-n1", "pass")
    sc.rec(w="inject", t=t_heal, what="heal; n1 stays down")
    # the observers probe them on n2, n3 and both APIs meanwhile; how long until all of them refuse each
    end = now() + 30
    gone_at = None
    while now() < end:
        answers = await asyncio.gather(*(sc.gh.api_user(tok, timeout=5, api=api) for tok in orphans for api in ("api", "api2")))
        if orphans and all(st == 401 for st, _ in answers):
            gone_at = now()
            break
        await asyncio.sleep(0.2)
    sc.figures["both_apis_refuse_every_orphan_after_kill_s"] = None if gone_at is None else round(gone_at - t_kill, 2)
    sc.figures["n1_ready_after_restart_s"] = await sc.start_node(cl, "n1")
    sc.down.discard("n1")
    await sc.finish()


async def signed_in_sessions(sc, node, n):
    """`n` browsers signed in on `node`: (key, cookies) each, the cookies kept as they were (a replayed cookie)."""
    out = []
    for i in range(n):
        s = UserSession(sc.gh, node)
        try:
            await s.sign_in()
        except Exception as e:
            sc.rec(w="session_in", t=now(), key=None, node=node, error=repr(e)[:160])
            continue
        key = "s%d-%s" % (i, h(str(sorted(s.cookies.items())))[:12])
        sc.rec(w="session_in", t=now(), key=key, node=node)
        out.append((key, dict(s.cookies)))
    return out


async def sign_out(sc, key, cookies, node):
    """Sign-out with the confirmation page (no id_token_hint): GET /logout, then POST /logout/confirm."""
    end = now() + 30
    while True:
        s = UserSession(sc.gh, node)
        s.cookies = dict(cookies)
        t0 = now()
        st, page = await s.get(node, "/logout")
        if st == 200 and page is not None:
            fields = hidden(page.text())
            fields["decision"] = "logout"
            st, _ = await s.post(node, "/logout/confirm", fields)
        sc.rec(w="session_out", t0=t0, t1=now(), key=key, node=node, st=st)
        # a 503 signed nobody out (the session store refused): a user tries again
        if st != 503 or now() > end:
            return
        await asyncio.sleep(1)


async def probe_session(sc, key, cookies, node):
    """Whether the replayed cookies still get a code on `node` (a signed-in session) or not, and how it answered."""
    s = UserSession(sc.gh, node)
    s.cookies = dict(cookies)
    t0 = now()
    code, why = await s.code(node, timeout=5)
    sc.rec(w="session_probe", t0=t0, t1=now(), key=key, node=node, code=code is not None, why=why)


async def s_partition_api(sc, cl, px):
    """n1 + the API | n2 n3: the API is a Hazelcast member, so n1 may count it toward its majority (a known
    open finding). Codes issued before the cut are raced on both sides after it."""
    sc.start_workloads()
    await sc.sleep(sc.p["before"])
    held = await hold_codes(sc, "n2", sc.p["held_codes"])
    sc.set_phase("fault")
    t_cut = now()
    cl.isolate("n1", peers=True, api=False)
    cl.isolate("n2", peers=False, api=True)
    cl.isolate("n3", peers=False, api=True)
    sc.rec(w="inject", t=t_cut, what="partition n1 api | n2 n3")
    sc.figures["n1_not_ready_after_cut_s"] = await sc.wait_ready("n1", 15, want="down")
    await sc.sleep(max(0, 8 - (now() - t_cut)))  # the sides have seen each other go
    await asyncio.gather(*(race_held(sc, c, v, ["n1", "n2", "n3", "n1", "n2", "n3"]) for c, v in held))
    sc.figures["held_codes"] = len(held)
    # once the majority serves again, and well within the codes' 60 s lifetime
    sc.figures["n2_ready_for_the_retry_s"] = await sc.wait_ready("n2", 30)
    await retry_unredeemed(sc, held)
    await sc.sleep(max(0, sc.p["partition"] - (now() - t_cut)))
    sc.set_phase("heal")
    t_heal = now()
    for n in cl.names:
        cl.heal_network(n)
    sc.rec(w="inject", t=t_heal, what="heal partition")
    sc.figures["n1_ready_after_heal_s"] = await sc.wait_ready("n1", 240)
    await sc.finish()


async def retry_unredeemed(sc, held):
    """Each held code no attempt redeemed is tried once more on n2 (the majority, serving again), as a client
    retries after its 503: a code whose redemption failed with 503 must still be redeemable (chaos finding K3),
    and so must one a concurrent attempt was refused while the first was in flight (its claim was withdrawn)."""
    won = getattr(sc, "held_won", set())
    retried = expired = 0
    for code, v in held:
        if h(code) in won:
            continue
        if now() - sc.held_at[h(code)] > CODE_LIFETIME_S - 10:
            expired += 1  # too close to the code's own expiry to judge the answer
            continue
        retried += 1
        await race_held(sc, code, v, ["n2"], retry=True)
    sc.figures["held_codes_retried_after_heal"] = retried
    sc.figures["held_codes_not_retried_too_old"] = expired


async def hold_codes(sc, node, n):
    """`n` codes issued on `node` at once and kept for later (each recorded with held=True)."""
    if sc.session is None:
        await sc.ensure_session()
    if sc.session is None:
        return []
    if not hasattr(sc, "held_at"):
        sc.held_at = {}

    async def one():
        code, v = await sc.session.code(node, timeout=5)
        if code:
            sc.held_at[h(code)] = now()
            sc.rec(w="code_issue", t0=now(), t1=now(), node=node, st=302, key=h(code), held=True)
            return code, v
        return None
    return [c for c in await asyncio.gather(*(one() for _ in range(n))) if c]


async def race_held(sc, code, v, order, retry=False):
    """One held code redeemed once on each node of `order`, all at once."""
    async def one(node):
        t0 = now()
        st, a = await sc.gh.redeem(node, code, v, timeout=15)
        rec = dict(w="redeem", key=h(code), node=node, t0=t0, t1=now(), st=st, err=error_of(a), held=True, retry=retry)
        if st == 200:
            if not hasattr(sc, "held_won"):
                sc.held_won = set()
            sc.held_won.add(h(code))
        if st == 503:
            rec["ra"] = a.headers.get("retry-after")
        sc.rec(**rec)
    await asyncio.gather(*(one(n) for n in order))


async def dependency(sc, cl, px, dep, modes):
    """`dep` (pg or redis) of every node (and the API's Redis) cut in each mode, then healed."""
    sc.start_workloads()
    await sc.sleep(sc.p["before"])
    pattern = "%s-*" % dep
    for mode, ms in modes:
        sc.set_phase("fault:%s" % mode)
        t_f = now()
        await px.mode(pattern, mode, ms)
        sc.rec(w="inject", t=t_f, what="%s %s %s" % (pattern, mode, ms or ""))
        if dep == "pg" and mode != "delay":
            # time to the first 503 (a direct probe that needs the database: an admin read of a client)
            sc.figures["first_503_after_%s_s" % mode] = await first_503(sc, t_f, sc.p["dep_fault"] + 10)
            nr = await sc.wait_ready("n2", sc.p["dep_fault"] + 10, want="down")
            sc.figures["not_ready_after_%s_s" % mode] = None if nr is None else round(now() - t_f, 2)
        await sc.sleep(max(0, sc.p["dep_fault"] - (now() - t_f)))
        sc.set_phase("heal:%s" % mode)
        t_h = now()
        await px.mode(pattern, "pass")
        sc.rec(w="inject", t=t_h, what="%s pass" % pattern)
        rs = [await sc.wait_ready(n, 60) for n in sc.dep.nodes]
        sc.figures["all_ready_after_heal_%s_s" % mode] = None if None in rs else round(now() - t_h, 2)
        await sc.sleep(3)
    await sc.finish()


async def first_503(sc, t_f, timeout):
    """Probes GET /admin/clients/chaos-cc on n2 every 50 ms (each with its own timing) until a 503."""
    tok = await sc.admin_token("n2")
    while now() - t_f < timeout:
        t0 = now()
        st, a = await sc.gh.admin("n2", tok, "GET", "/clients/chaos-cc", timeout=15)
        rec = dict(w="pgprobe", node="n2", t0=t0, t1=now(), st=st, err=error_of(a))
        if st == 503:
            rec["ra"] = a.headers.get("retry-after")
        sc.rec(**rec)
        if st == 503:
            return round(now() - t_f, 2)
        await asyncio.sleep(0.05)
    return None


async def s_redis(sc, cl, px):
    await dependency(sc, cl, px, "redis", [("refuse", 0), ("blackhole", 0), ("delay", 300)])


async def s_postgres(sc, cl, px):
    await dependency(sc, cl, px, "pg", [("refuse", 0), ("blackhole", 0), ("delay", 200)])


async def s_api_restart(sc, cl, px):
    """N revocations, then the API restarted: every revoked token still refused once it answers again."""
    sc.meta["revocation_bound_s"] = 10.0
    toks = []
    for i in range(sc.p["api_revocations"]):
        node = random.choice(list(sc.dep.nodes))
        st, a = await sc.gh.cc_token(node)
        if st != 200:
            continue
        tok = a.json()["access_token"]
        st_api, _ = await sc.gh.api_user(tok)
        t0 = now()
        st, a = await sc.gh.revoke(random.choice(list(sc.dep.nodes)), tok)
        sc.rec(w="revoke", key=h(tok), node=node, t0=t0, t1=now(), st=st, err=error_of(a), api_before=st_api)
        if st == 200:
            toks.append(tok)
    sc.figures["revoked_before_restart"] = len(toks)
    await asyncio.sleep(sc.meta["revocation_bound_s"])  # let the bound pass before the restart
    sc.set_phase("fault")
    t_k = now()
    cl.signal("api", signal.SIGTERM)
    cl.wait_exit("api", 20)
    cl.start("api")
    sc.rec(w="inject", t=t_k, what="restart the API")
    # from its first answer on, every revoked token is probed: 401 (refused) or 503 (not warm yet) only
    first = None
    refused_all_at = None
    while now() - t_k < 120:
        st, _ = await sc.gh.api_user(toks[0], timeout=3)
        if isinstance(st, int):
            first = first or now()
            results = await asyncio.gather(*(sc.observe("api", t) for t in toks))
            if st != 503:
                refused_all_at = now()
                break
        await asyncio.sleep(0.1)
    sc.figures["api_first_answer_after_restart_s"] = None if first is None else round(first - t_k, 2)
    sc.figures["api_serving_after_restart_s"] = None if refused_all_at is None else round(refused_all_at - t_k, 2)
    sc.set_phase("after")
    for _ in range(3):
        await asyncio.gather(*(sc.observe("api", t) for t in toks))
        await asyncio.sleep(0.5)
    # and a token that was not revoked is accepted (the API is not just refusing everything)
    st, a = await sc.gh.cc_token("n2")
    st_api, _ = await sc.gh.api_user(a.json()["access_token"]) if st == 200 else ("no_token", None)
    sc.figures["api_accepts_fresh_token_after_restart"] = st_api
    sc.rec(w="api_control", t=now(), st=st_api)


async def s_rolling(sc, cl, px):
    """SIGTERM, wait for exit, restart, wait ready, for n1, n2, n3 under load; the load goes to ready nodes only,
    as a balancer polling /health/ready would send it (the drain delay covers the polling interval)."""
    sc.start_workloads()
    await sc.sleep(sc.p["before"])
    sc.set_phase("fault")
    times = {}
    for n in sc.dep.nodes:
        t0 = now()
        cl.signal(n, signal.SIGTERM)
        sc.rec(w="inject", t=t0, what="SIGTERM " + n)
        # a balancer that polls readiness every 0.5 s takes the node out on the first DOWN
        nr = await sc.wait_ready(n, 10, want="down")
        await asyncio.sleep(0.5)
        sc.down.add(n)
        exited = await asyncio.get_running_loop().run_in_executor(None, cl.wait_exit, n, 60)
        t_exit = now()
        r = await sc.start_node(cl, n)
        sc.down.discard(n)
        times[n] = dict(not_ready_s=nr, exit_s=round(t_exit - t0, 2) if exited else None, ready_after_start_s=r)
        await sc.sleep(sc.p["rolling_gap"])
    sc.figures["rolling"] = times
    await sc.finish()


async def s_clock(sc, cl, px):
    """n3's wall clock moved (profile "clock_skew": ms each, ahead then behind; chaos/clockskew.so preloaded into its
    JVM, monotonic time untouched): n3 restarted with each offset, the workloads running on every node it serves,
    then restarted with the right time. The skewed node must report itself not-ready (its clock check against
    PostgreSQL's) while it joins the cluster normally, and must not break it (chaos finding K5: the others keep
    serving /authorize; history.py checks it); nothing is redeemed twice, no revoked token is accepted, and the
    tokens it issues when asked directly are accepted by the API within its clock leeway (30 s)."""
    if not sc.env.get("clockskew"):
        sc.figures["skipped"] = "chaos/clockskew.c did not build (gcc)"
        return
    sc.start_workloads()
    await sc.sleep(sc.p["before"])

    async def restart_n3(offset):
        """n3 restarted with `offset`: seconds until it has joined and every check but the clock is UP, with the
        clock check DOWN when its clock is off (postgres.max_clock_offset, 2 s) and readiness 200 when it is
        not; then it takes its share of the workloads (requests sent to it directly, as a client that ignores
        readiness would). None: not within 90 s."""
        sc.down.add("n3")
        cl.signal("n3", signal.SIGTERM)
        await asyncio.get_running_loop().run_in_executor(None, cl.wait_exit, "n3", 60)
        t0 = now()
        sc.rec(w="inject", t=t0, what="n3 restarted with its clock %+d ms" % (offset or 0))
        cl.start("n3", offset)
        while now() - t0 < 90:
            st, j = await sc.gh.ready("n3", timeout=1.5)
            checks = (j or {}).get("checks") if isinstance(j, dict) else None
            if checks and all(v == "UP" for k, v in checks.items() if k != "clock"):
                if (offset and st == 503 and checks.get("clock") == "DOWN") or (not offset and st == 200):
                    sc.down.discard("n3")
                    return round(now() - t0, 2)
            if not cl.alive("n3"):
                sc.figures.setdefault("starts_that_exited", []).append("n3 at %+.1f s" % (now() - t0))
                cl.start("n3", offset)
            await asyncio.sleep(0.1)
        return None

    for offset in sc.p["clock_skew"]:
        sc.set_phase("fault:%+dms" % offset)
        sc.figures["n3_joined_with_clock_%+dms_and_clock_check_down_s" % offset] = await restart_n3(offset)
        if "n3" not in sc.down:
            # a token n3 issues, used at the API at once (its iat is off by the offset)
            st, a = await sc.gh.cc_token("n3")
            st_api, _ = await sc.gh.api_user(a.json()["access_token"]) if st == 200 else (st, None)
            sc.figures["api_answer_to_a_fresh_n3_token_%+dms" % offset] = st_api
            sc.rec(w="api_control", t=now(), st=st_api, node="n3")
        # the others keep serving: their readiness is recorded by the readiness workload
        await sc.sleep(sc.p["clock_hold"])
    sc.set_phase("heal")
    sc.figures["n3_ready_with_the_right_time_s"] = await restart_n3(None)
    await sc.finish()
    sc.figures["skews_ms"] = sc.p["clock_skew"]


SCENARIOS = {"orphan": s_orphan, "crash": s_crash, "pause": s_pause, "partition": s_partition, "latency": s_latency, "partition-api": s_partition_api, "redis": s_redis, "postgres": s_postgres,
             "api-restart": s_api_restart, "rolling": s_rolling, "clock": s_clock}


async def run(args):
    with open(args.env) as f:
        env = json.load(f)
    prof = PROFILES[env["profile"]]
    dep = Deployment(env)
    cl = Cluster(env)
    only = args.only.split() if args.only else (CI_DEFAULT if env["profile"] == "ci" and os.environ.get("CHAOS_CLOCK") != "1" else ALL)
    failed = []
    for name in only:
        if (name.startswith("partition") or name in ("latency", "orphan")) and not env.get("nft"):
            log("%s: skipped (no network namespaces or no nftables)" % name)
            os.makedirs(os.path.join(args.out, name), exist_ok=True)
            with open(os.path.join(args.out, name, "figures.json"), "w") as f:
                json.dump({"figures": {"skipped": "no network namespaces or nftables"}, "meta": {}}, f)
            continue
        sc = Scenario(name, args.out, dep, env, prof)
        px = Proxies(env, sc.http)
        log("=== %s" % name)
        t0 = now()
        try:
            # every node ready before a scenario starts (the previous one healed); one that is not running (it
            # exited during a start in the previous scenario, say on a loaded machine) is started, as a
            # supervisor would, and counted
            for n in dep.nodes:
                if not cl.alive(n):
                    log("%s is not running before %s; starting it" % (n, name))
                    sc.figures.setdefault("started_before_the_scenario", []).append(n)
                    if await sc.start_node(cl, n, timeout=300) is None:
                        raise RuntimeError("%s did not start before the scenario" % n)
                if await sc.wait_ready(n, 120) is None:
                    raise RuntimeError("%s not ready before the scenario" % n)
            await SCENARIOS[name](sc, cl, px)
            sc.phase = "verify"
            await sc.verify_writes()
        except Exception:
            log("%s: FAILED\n%s" % (name, traceback.format_exc()))
            sc.figures["error"] = traceback.format_exc(limit=3)[-600:]
            failed.append(name)
            sc.stop.set()
            for t in sc.tasks:
                t.cancel()
            # leave the deployment healed for the next scenario
            try:
                await px.mode("*", "pass")
            except Exception:
                pass
            if env.get("nft"):
                cl.unroute_links()
            for n in cl.names:
                if env.get("nft"):
                    cl.heal_network(n)
                cl.signal(n, signal.SIGCONT)
        sc.figures["duration_s"] = round(now() - t0, 1)
        sc.save()
        log("=== %s done in %.0f s" % (name, now() - t0))
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--env", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
