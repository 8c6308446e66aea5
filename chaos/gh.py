"""chaos/gh.py: the workload drivers' client of Gatehouse and the example API (Python 3.11, stdlib only).

A small asyncio HTTP/1.1 client (keep-alive pools per address, every exchange bounded by a timeout), the
real sign-in flow (login form, consent, then /authorize with the session cookie and PKCE S256), the token
calls, and the history writer: every operation is one JSON line with its start and end times, so that
chaos/history.py can check the safety properties afterwards. Tokens, codes and secrets never reach a
history or a log: they are named by a short SHA-256 prefix.
"""
import asyncio
import base64
import hashlib
import json
import os
import re
import secrets
import time
import urllib.parse


def h(value):
    """A short, stable, non-reversible name for a code or token in the histories."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def now():
    return time.time()


class Answer:
    __slots__ = ("status", "headers", "cookies", "body")

    def __init__(self, status, headers, cookies, body):
        self.status = status
        self.headers = headers
        self.cookies = cookies
        self.body = body

    def json(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def text(self):
        return self.body.decode("utf-8", "replace")


class HttpError(Exception):
    """No HTTP answer: refused, reset, timed out. Its kind goes into the history."""

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


class Http:
    """HTTP/1.1 with keep-alive: one pool of idle connections per (host, port)."""

    def __init__(self, timeout=10.0):
        self.timeout = timeout
        self.idle = {}

    async def request(self, addr, method, path, headers=None, body=None, timeout=None):
        timeout = self.timeout if timeout is None else timeout
        try:
            return await asyncio.wait_for(self._request(addr, method, path, headers or {}, body), timeout)
        except asyncio.TimeoutError:
            raise HttpError("timeout")
        except HttpError:
            raise
        except ConnectionRefusedError:
            raise HttpError("refused")
        except (ConnectionResetError, BrokenPipeError, asyncio.IncompleteReadError):
            raise HttpError("reset")
        except OSError as e:
            raise HttpError("oserror_%s" % (e.errno or "x"))

    async def _request(self, addr, method, path, headers, body):
        pool = self.idle.setdefault(addr, [])
        conn = None
        while pool:
            r, w = pool.pop()
            if not w.is_closing() and not r.at_eof():
                conn = (r, w)
                break
            w.close()
        fresh = conn is None
        if fresh:
            conn = await asyncio.open_connection(addr[0], addr[1])
        r, w = conn
        lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s:%d" % addr]
        if body is not None:
            lines.append("Content-Length: %d" % len(body))
        for k, v in headers.items():
            lines.append("%s: %s" % (k, v))
        w.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b""))
        try:
            await w.drain()
            status_line = await r.readline()
            if not status_line:
                raise asyncio.IncompleteReadError(b"", None)
        except (ConnectionResetError, BrokenPipeError, asyncio.IncompleteReadError):
            w.close()
            if not fresh:  # a kept-alive connection the server had closed: once more on a new one
                return await self._request_fresh(addr, method, path, headers, body)
            raise
        try:
            status = int(status_line.split()[1])
        except (IndexError, ValueError):
            w.close()
            raise HttpError("bad_status_line")
        hdrs, cookies = {}, []
        while True:
            line = await r.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            k, v = k.strip().lower(), v.strip()
            if k == "set-cookie":
                cookies.append(v)
            hdrs[k] = v
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            data = b""
        elif hdrs.get("transfer-encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int((await r.readline()).split(b";")[0].strip(), 16)
                if size == 0:
                    while (await r.readline()) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                data += await r.readexactly(size)
                await r.readexactly(2)
        elif "content-length" in hdrs:
            data = await r.readexactly(int(hdrs["content-length"]))
        else:
            data = await r.read()
            hdrs["connection"] = "close"
        if hdrs.get("connection", "").lower() == "close":
            w.close()
        else:
            pool.append((r, w))
        return Answer(status, hdrs, cookies, data)

    async def _request_fresh(self, addr, method, path, headers, body):
        for r, w in self.idle.pop(addr, []):
            w.close()
        return await self._request(addr, method, path, headers, body)

    def close(self):
        for pool in self.idle.values():
            for _, w in pool:
                w.close()
        self.idle.clear()


def form(d):
    return urllib.parse.urlencode(d).encode()


def basic(client_id, secret):
    raw = "%s:%s" % (urllib.parse.quote(client_id, safe=""), urllib.parse.quote(secret, safe=""))
    return "Basic " + base64.b64encode(raw.encode()).decode()


def pkce():
    verifier = secrets.token_urlsafe(32)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


HIDDEN = re.compile(r'name="(rid|csrf)" value="([^"]*)"')


def hidden(html):
    import html as htmllib
    return {k: htmllib.unescape(v) for k, v in HIDDEN.findall(html)}


class History:
    """One JSON object per line; opened for append, flushed by the caller's close()."""

    def __init__(self, path):
        self.f = open(path, "a", buffering=1 << 16)

    def rec(self, **kv):
        self.f.write(json.dumps(kv, separators=(",", ":")) + "\n")

    def close(self):
        self.f.close()


class Deployment:
    """What chaos.sh started: read from its env.json."""

    def __init__(self, env):
        self.env = env
        self.nodes = {n["name"]: (n["host"], n["port"]) for n in env["nodes"]}
        self.api = (env["api"]["host"], env["api"]["port"])
        self.api2 = (env["api2"]["host"], env["api2"]["port"]) if env.get("api2") else None
        self.issuer = env["issuer"]
        self.base = urllib.parse.urlsplit(self.issuer).path.rstrip("/")
        c = env["clients"]
        self.app = c["app"]            # public client: code + refresh
        self.cc = c["cc"]              # confidential: client_credentials read:users
        self.rs = c["rs"]              # can_introspect
        self.admin = c["admin"]        # client_credentials gatehouse:admin
        self.user = env["user"]


class Gatehouse:
    """The calls the workloads make, each returning (status or error kind, parsed body, answer)."""

    def __init__(self, dep, http):
        self.d = dep
        self.http = http
        self.rs_auth = basic(dep.rs["id"], dep.rs["secret"])
        self.cc_auth = basic(dep.cc["id"], dep.cc["secret"])
        self.admin_auth = basic(dep.admin["id"], dep.admin["secret"])

    async def call(self, node, method, path, headers=None, body=None, timeout=None):
        addr = self.d.nodes[node] if isinstance(node, str) else node
        try:
            a = await self.http.request(addr, method, self.d.base + path, headers, body, timeout)
            return a.status, a
        except HttpError as e:
            return e.kind, None

    async def post_form(self, node, path, fields, auth=None, timeout=None):
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if auth:
            headers["Authorization"] = auth
        return await self.call(node, "POST", path, headers, form(fields), timeout)

    # -- sign-in and codes ---------------------------------------------------------------------

    def authorize_path(self, challenge, state):
        q = {"response_type": "code", "client_id": self.d.app["id"], "redirect_uri": self.d.app["redirect_uri"],
             "scope": self.d.app["scope"], "state": state, "code_challenge": challenge, "code_challenge_method": "S256"}
        return "/authorize?" + urllib.parse.urlencode(q)

    def code_from(self, location, state):
        if not location or not location.startswith(self.d.app["redirect_uri"]):
            return None
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
        if q.get("state") != state:
            return None
        return q.get("code") or ("error:" + q.get("error", "?"))

    async def sign_in(self, node):
        """A browser signing in on `node`: returns a UserSession (cookies), or raises RuntimeError."""
        s = UserSession(self, node)
        await s.sign_in()
        return s

    async def redeem(self, node, code, verifier, timeout=None):
        return await self.post_form(node, "/token", {"grant_type": "authorization_code", "code": code,
                                                     "redirect_uri": self.d.app["redirect_uri"],
                                                     "code_verifier": verifier, "client_id": self.d.app["id"]},
                                    timeout=timeout)

    async def refresh(self, node, rt, timeout=None):
        return await self.post_form(node, "/token", {"grant_type": "refresh_token", "refresh_token": rt,
                                                     "client_id": self.d.app["id"]}, timeout=timeout)

    async def cc_token(self, node, scope="read:users", timeout=None):
        return await self.post_form(node, "/token", {"grant_type": "client_credentials", "scope": scope},
                                    auth=self.cc_auth, timeout=timeout)

    async def revoke(self, node, token, timeout=None):
        return await self.post_form(node, "/revoke", {"token": token}, auth=self.cc_auth, timeout=timeout)

    async def introspect(self, node, token, timeout=None):
        return await self.post_form(node, "/introspect", {"token": token}, auth=self.rs_auth, timeout=timeout)

    async def api_user(self, token, timeout=None, api="api"):
        try:
            a = await self.http.request(self.d.api2 if api == "api2" else self.d.api, "GET", "/user",
                                        {"Authorization": "Bearer " + token}, None, timeout)
            return a.status, a
        except HttpError as e:
            return e.kind, None

    async def ready(self, node, timeout=2.0):
        st, a = await self.call(node, "GET", "/health/ready", timeout=timeout)
        return st, (a.json() if a is not None else None)

    async def admin_token(self, node):
        st, a = await self.post_form(node, "/token", {"grant_type": "client_credentials", "scope": "gatehouse:admin"},
                                     auth=self.admin_auth)
        if st != 200:
            return None
        return a.json()["access_token"]

    async def admin(self, node, token, method, path, doc=None, timeout=None):
        headers = {"Authorization": "Bearer " + token}
        body = None
        if doc is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(doc).encode()
        return await self.call(node, method, "/admin" + path, headers, body, timeout)


class UserSession:
    """A signed-in browser: its cookies (the login session is clustered, so it works on every node)."""

    def __init__(self, gh, node):
        self.gh = gh
        self.node = node
        self.cookies = {}

    def cookie_header(self):
        return {"Cookie": "; ".join("%s=%s" % kv for kv in self.cookies.items())} if self.cookies else {}

    def remember(self, answer):
        for c in answer.cookies:
            name, _, rest = c.partition("=")
            value = rest.split(";")[0].strip()
            attrs = rest.lower().replace(" ", "")
            if not value or ";max-age=0" in attrs or "1970" in attrs:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value

    async def get(self, node, path_and_query, timeout=None):
        st, a = await self.gh.call(node, "GET", path_and_query, self.cookie_header(), timeout=timeout)
        if a is not None:
            self.remember(a)
        return st, a

    async def post(self, node, path, fields):
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        headers.update(self.cookie_header())
        st, a = await self.gh.call(node, "POST", path, headers, form(fields))
        if a is not None:
            self.remember(a)
        return st, a

    def local(self, location):
        """An absolute Location of the issuer as a path for the node we talk to."""
        u = urllib.parse.urlsplit(location)
        p = u.path
        if self.gh.d.base and p.startswith(self.gh.d.base):
            p = p[len(self.gh.d.base):]
        return p + ("?" + u.query if u.query else "")

    async def sign_in(self):
        verifier, challenge = pkce()
        state = secrets.token_urlsafe(12)
        st, a = await self.get(self.node, self.gh.authorize_path(challenge, state))
        for _ in range(8):
            if st not in (302, 303) or a is None:
                raise RuntimeError("sign-in: %s answered %s" % ("step", st))
            loc = a.headers.get("location", "")
            code = self.gh.code_from(loc, state)
            if code is not None:
                if code.startswith("error:"):
                    raise RuntimeError("sign-in refused: " + code)
                return code, verifier
            path = self.local(loc)
            st, page = await self.get(self.node, path)
            if st != 200:
                if st in (302, 303):
                    a = page
                    continue
                raise RuntimeError("sign-in: GET %s answered %s" % (path.split("?")[0], st))
            fields = hidden(page.text())
            if path.startswith("/login"):
                fields.update(username=self.gh.d.user["username"], password=self.gh.d.user["password"])
                st, a = await self.post(self.node, "/login", fields)
            elif path.startswith("/consent"):
                fields.update(decision="approve")
                st, a = await self.post(self.node, "/consent", fields)
            else:
                raise RuntimeError("sign-in: unexpected page " + path.split("?")[0])
        raise RuntimeError("sign-in: too many redirects")

    async def code(self, node, timeout=None):
        """A fresh code from /authorize with this session on `node`: (code, verifier) or (None, why)."""
        verifier, challenge = pkce()
        state = secrets.token_urlsafe(12)
        st, a = await self.get(node, self.gh.authorize_path(challenge, state), timeout=timeout)
        if st != 302 or a is None:
            return None, "authorize_%s" % st
        code = self.gh.code_from(a.headers.get("location", ""), state)
        if code is None:
            return None, "authorize_not_to_client"
        if code.startswith("error:"):
            return None, "authorize_" + code[6:]
        return code, verifier


def error_of(answer):
    if answer is None:
        return None
    j = answer.json()
    return j.get("error") if isinstance(j, dict) else None
