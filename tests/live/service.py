"""The real service as the live checks run it (tests/live/): a fresh
PostgreSQL database, `veritrail serve` as a child process, an operator from
`veritrail bootstrap`, and a tenant with a client per role."""

import base64
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid


def log(message):
    print(f"==> live: {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database(admin_url, prefix):
    """Creates a database on the test cluster; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    subprocess.run(["psql", "-q", "-d", admin_url, "-c", f"CREATE DATABASE {name}"], check=True)
    parts = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def call(base, method, path, token=None, body=None, form=None, key=None, timeout=30):
    """One request; returns (status, headers, parsed JSON body or None).
    Connection failures raise OSError (urllib.error.URLError is one)."""
    headers = {}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = key
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, dict(response.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = {"unparsed": raw.decode(errors="replace")}
        return error.code, dict(error.headers), parsed


def must(answer, *expected):
    status, _, body = answer
    if status not in expected:
        raise SystemExit(f"expected {expected}, got {status}: {body}")
    return body


class Service:
    """`veritrail serve` on `port` against `database_url`."""

    def __init__(self, binary, database_url, log_dir, secrets_key=None, log_level="warn"):
        self.binary = binary
        self.database_url = database_url
        self.log_dir = log_dir
        self.secrets_key = secrets_key or base64.b64encode(os.urandom(32)).decode()
        self.log_level = log_level
        self.process = None
        self.port = None
        self.starts = 0

    def env(self, port):
        return dict(os.environ,
                    VERITRAIL_DATABASE_URL=self.database_url,
                    VERITRAIL_BIND=f"127.0.0.1:{port}",
                    VERITRAIL_SECRETS_KEY=self.secrets_key,
                    VERITRAIL_MEDIA_DIR=os.path.join(self.log_dir, "media"),
                    RUST_LOG=self.log_level)

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def run(self, *args):
        return subprocess.run([self.binary, *args], env=self.env(self.port or 0),
                              check=True, capture_output=True, text=True).stdout

    def start(self, port=None):
        self.port = port or self.port or free_port()
        self.starts += 1
        out = open(os.path.join(self.log_dir, f"server-{self.starts}.log"), "w")
        self.process = subprocess.Popen([self.binary, "serve"], env=self.env(self.port),
                                        stdout=out, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"veritrail serve exited (log: {out.name})")
            try:
                with urllib.request.urlopen(self.base + "/health/ready", timeout=2):
                    return time.time()
            except OSError:
                time.sleep(0.05)
        raise SystemExit("veritrail serve was not ready within 60 s")

    def kill9(self):
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        return time.time()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def token(base, client_id, secret):
    body = must(call(base, "POST", "/oauth2/token", form={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
    }), 200)
    return body["access_token"]


def open_tenant(service, tenant="acme", roles=("organisation", "officer")):
    """Bootstraps an operator and opens `tenant` with a client per role;
    returns {role: bearer token} including the operator's."""
    out = service.run("bootstrap")
    op_id = re.search(r"client_id\s*=\s*(\S+)", out).group(1)
    op_secret = re.search(r"client_secret\s*=\s*(\S+)", out).group(1)
    base = service.base
    operator = token(base, op_id, op_secret)
    must(call(base, "POST", "/operator/tenants", operator, {
        "tenant_id": tenant, "name": tenant.title(), "country": "FRA",
        "support_email": f"help@{tenant}.test", "plan": "enterprise",
        "limits": {"requests_per_minute": 0, "requests_per_day": 0},
    }), 201)
    tokens = {"operator": operator}
    for role in roles:
        client = must(call(base, "POST", f"/operator/tenants/{tenant}/clients", operator,
                           {"role": role}), 201)
        tokens[role] = token(base, client["client_id"], client["client_secret"])
    return tokens
