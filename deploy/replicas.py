"""N identical Streamlit replicas behind HAProxy and nginx on one machine, started and stopped
cleanly.

    python deploy/replicas.py --replicas 2 --port 8080     # until Ctrl-C or SIGTERM

Streamlit keeps a session (widget state, caches of the session, media files) in one process,
so more capacity means more processes and a load balancer that keeps each browser on its
replica and passes websockets. This writes every generated file first
(scripts/build_static.py: a replica that has not drawn a view must still serve its file),
starts the replicas on free loopback ports (one shared cookie secret, so XSRF cookies stay
valid if a browser moves), waits for each /_stcore/health, writes deploy/haproxy.cfg (the
balancer: health checks, a cookie naming the replica) and deploy/nginx.conf (the edge: gzip,
limits, security headers) into a private prefix (pid files, admin socket, logs: nothing under
/etc or /var), checks both, starts both in the foreground and waits for nginx's /healthz and
for /_stcore/health through both. As root, both run as nobody once their ports are bound.

A replica that exits (a crash, an out-of-memory kill) is started again on its port with a
growing pause; the others go on serving (`Deployment.supervise`). SIGTERM drains: nginx
stops taking connections (new visitors are refused at once, so a platform sends them to
another machine) while open sessions go on, for at most --drain seconds; then HAProxy and the
replicas stop. Used by tests/test_deploy.py through `Deployment`.
"""

from __future__ import annotations

import argparse
import contextlib
import grp
import os
import pwd
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HAPROXY_TEMPLATE = Path(__file__).resolve().parent / "haproxy.cfg"
NGINX_TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"
COOKIE = "replica"  # the sticky-session cookie HAProxy sets: the replica's name (r0, r1, ...)


def haproxy_path() -> str | None:
    """Debian's haproxy (in /usr/sbin, which is not on every user's PATH)."""
    return shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if os.access(p, os.X_OK)),
        None,
    )


def nginx_path() -> str | None:
    """Debian's nginx (in /usr/sbin, which is not on every user's PATH)."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def build_static() -> None:
    """Every generated file written before any replica serves (scripts/build_static.py)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_static.py")],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"scripts/build_static.py failed:\n{done.stderr}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    """Until `url` answers 200; fails early if `proc` exits."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")
        time.sleep(0.2)


def raise_file_limit() -> None:
    """In a replica's process, before Streamlit starts: its open-file limit raised to the
    hard limit (often 1,024 soft against 524,288 hard). Each visitor holds a socket; 20,000
    connections straight at a replica exhausted the soft limit (accept failed in a loop and
    logged 89 MB in a minute)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@dataclass
class Replica:
    port: int
    proc: subprocess.Popen
    log: Path

    @property
    def addr(self) -> str:
        return f"127.0.0.1:{self.port}"


@dataclass
class Deployment:
    """Replicas, HAProxy and nginx; a context manager that stops everything it started, also
    when starting fails half-way."""

    replicas: int = 2
    app: str = "dashboard.py"
    port: int = 0  # nginx's port, the site's; 0: a free one
    env: dict[str, str] = field(default_factory=dict)
    conn_per_client: int = 100  # connections one address may hold at once
    frame_ancestors: str = "*"  # who may embed the app (CSP frame-ancestors)
    base: str = ""  # the app's base path (Streamlit's server.baseUrlPath), e.g. "cbec"
    inter: str = "2s"  # how often HAProxy checks each replica's health
    drain: int = 30  # seconds open sessions may go on after SIGTERM
    timeout: float = 90.0
    prefix: Path | None = None
    running: list[Replica] = field(default_factory=list)
    proxy: subprocess.Popen | None = None  # HAProxy
    nginx: subprocess.Popen | None = None
    balancer_port: int = 0  # HAProxy's, on the loopback
    _tmp: tempfile.TemporaryDirectory | None = None
    _secret: str = ""

    @property
    def root(self) -> str:
        """nginx itself (its /healthz)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The app, under its base path if it has one."""
        return self.root + self.path

    @property
    def path(self) -> str:
        base = self.base.strip("/")
        return f"/{base}" if base else ""

    def __enter__(self) -> Deployment:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        haproxy, nginx = haproxy_path(), nginx_path()
        if haproxy is None or nginx is None:
            raise RuntimeError("haproxy or nginx not found: apt-get install haproxy nginx")
        if self.prefix is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="cbec-deploy-")
            self.prefix = Path(self._tmp.name)
        self.port = self.port or free_port()
        self.balancer_port = free_port()
        build_static()
        # One secret for all replicas: a cookie signed by one is valid on the others.
        self._secret = secrets.token_hex(32)
        for i in range(self.replicas):
            self.running.append(self._spawn(i, free_port()))
        for r in self.running:  # started together, checked one by one
            wait_for(f"http://{r.addr}{self.path}/_stcore/health", self.timeout, r.proc)

        conf = self.write_haproxy_config()
        check = subprocess.run([haproxy, "-c", "-q", "-f", str(conf)], capture_output=True,
                               text=True)  # fmt: skip
        if check.returncode != 0:
            raise RuntimeError(f"haproxy -c failed:\n{check.stdout}{check.stderr}")
        with open(self.prefix / "haproxy.log", "ab") as log:
            self.proxy = subprocess.Popen(
                [haproxy, "-db", "-f", str(conf)], stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=raise_file_limit,
            )  # fmt: skip
        wait_for(f"http://127.0.0.1:{self.balancer_port}{self.path}/_stcore/health", 20,
                 self.proxy)  # fmt: skip

        conf = self.write_nginx_config()
        errlog = self.prefix / "error.log"
        base = [nginx, "-p", str(self.prefix), "-c", str(conf), "-e", str(errlog)]
        check = subprocess.run([*base, "-t"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
        self.nginx = subprocess.Popen(
            [*base, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for(f"{self.root}/healthz", 20, self.nginx)
        wait_for(f"{self.url}/_stcore/health", 20, self.nginx)

    def _spawn(self, i: int, port: int) -> Replica:
        """Start replica `i` on `port` (its log appended to, so a restart keeps the crash's)."""
        assert self.prefix is not None
        log = self.prefix / f"replica-{i}.log"
        cmd = [
            sys.executable, "-m", "streamlit", "run", str(ROOT / self.app),
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            # Replicas serve; they do not watch their source for edits.
            "--server.fileWatcherType", "none",
            *(["--server.baseUrlPath", self.path] if self.path else []),
        ]  # fmt: skip
        env = {**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": self._secret, **self.env}
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                preexec_fn=raise_file_limit,
            )
        return Replica(port, proc, log)

    def supervise(self, stop: Callable[[], bool], poll: float = 0.5) -> None:
        """Until `stop()` or HAProxy or nginx exits: a replica that exits is started again on
        its port (HAProxy's server list stays valid; its health check lets it back in), after
        a pause that doubles with each exit in a row (1 s, 2 s, ... 30 s; back to 1 s once it
        has run a minute), and the others go on serving. (It used to stop everything: one
        `kill -9` took the site down in 4 s.)"""
        pause = [1.0] * len(self.running)
        due: dict[int, float] = {}  # replica -> when to start it again
        started = [time.monotonic()] * len(self.running)
        while not stop() and all(p is not None and p.poll() is None
                                 for p in (self.proxy, self.nginx)):  # fmt: skip
            now = time.monotonic()
            for i, r in enumerate(self.running):
                if r.proc.poll() is None:
                    if now - started[i] > 60:
                        pause[i] = 1.0
                    continue
                if i not in due:
                    due[i] = now + pause[i]
                    print(f"r{i} exited ({r.proc.returncode}); again in {pause[i]:.0f} s",
                          file=sys.stderr, flush=True)  # fmt: skip
                elif now >= due[i]:
                    del due[i]
                    self.running[i] = self._spawn(i, r.port)
                    started[i], pause[i] = now, min(30.0, pause[i] * 2)
                    print(f"r{i} started again (pid {self.running[i].proc.pid})",
                          file=sys.stderr, flush=True)  # fmt: skip
            time.sleep(poll)

    def _fill(self, template: Path, values: dict[str, str]) -> Path:
        assert self.prefix is not None
        text = template.read_text()
        for name, value in values.items():
            text = text.replace("{{" + name + "}}", value)
        if "{{" in text:
            raise RuntimeError(
                f"deploy/{template.name} has a placeholder replicas.py does not fill"
            )
        conf = self.prefix / template.name
        conf.write_text(text)
        return conf

    def write_haproxy_config(self) -> Path:
        user = ""
        if os.geteuid() == 0:  # not as root once the port is bound
            user = f"    user nobody\n    group {_nobody_group()}"
        servers = "\n".join(
            f"    server r{i} {r.addr} cookie r{i}" for i, r in enumerate(self.running)
        )
        # Two descriptors per websocket (nginx's side, the replica's side), within what this
        # user may open (ulimit -Hn).
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        maxconn = 8192 if hard == resource.RLIM_INFINITY else max(256, min(8192, (hard - 256) // 2))
        return self._fill(HAPROXY_TEMPLATE, {
            "MAXCONN": str(maxconn),
            "PREFIX": str(self.prefix),
            "USER": user,
            "LISTEN": f"127.0.0.1:{self.balancer_port}",
            "SERVERS": servers,
            "COOKIE": COOKIE,
            "BASE": self.path,
            "INTER": self.inter,
        })  # fmt: skip

    def write_nginx_config(self) -> Path:
        assert self.prefix is not None
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        user = ""
        if os.geteuid() == 0:  # nginx would switch its workers to nobody anyway: say so
            user = f"user nobody {_nobody_group()};"
            nobody = pwd.getpwnam("nobody")
            self.prefix.chmod(0o755)
            for d in (self.prefix / "tmp", *(self.prefix / "tmp").iterdir()):
                os.chown(d, nobody.pw_uid, nobody.pw_gid)
        return self._fill(NGINX_TEMPLATE, {
            "CONN_PER_CLIENT": str(self.conn_per_client),
            "FRAME_ANCESTORS": self.frame_ancestors,
            "PREFIX": str(self.prefix),
            "USER": user,
            "LISTEN": f"127.0.0.1:{self.port}",
            "BALANCER": f"127.0.0.1:{self.balancer_port}",
            "DRAIN": f"{self.drain}s",
        })  # fmt: skip

    def admin(self, command: str) -> str:
        """A command to HAProxy's runtime API (its admin socket in the prefix)."""
        assert self.prefix is not None
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(str(self.prefix / "admin.sock"))
            s.sendall(command.encode() + b"\n")
            out = b""
            while chunk := s.recv(65536):
                out += chunk
        return out.decode()

    def states(self) -> dict[str, str]:
        """Each replica's state as HAProxy's health checks see it: {"r0": "UP", ...}."""
        rows = self.admin("show stat").splitlines()
        head = rows[0].lstrip("# ").split(",")
        col = {name: i for i, name in enumerate(head)}
        out = {}
        for row in rows[1:]:
            f = row.split(",")
            if len(f) > col["status"] and f[col["pxname"]] == "replicas" and f[1].startswith("r"):
                out[f[col["svname"]]] = f[col["status"]]
        return out

    def named(self, name: str) -> int:
        """The index of the replica named `name` (r0, r1, ...: its cookie and X-Replica)."""
        return int(name.removeprefix("r"))

    def kill(self, i: int) -> None:
        """Crash replica i (SIGKILL): what a failed machine or an OOM kill looks like."""
        self.running[i].proc.kill()
        self.running[i].proc.wait()

    def restart(self, i: int) -> None:
        """Start replica i again on its port (what `supervise` does after its pause)."""
        self.running[i] = self._spawn(i, self.running[i].port)
        wait_for(f"http://{self.running[i].addr}{self.path}/_stcore/health", self.timeout,
                 self.running[i].proc)  # fmt: skip

    def drain_and_stop(self) -> None:
        """SIGTERM's way: nginx stops listening (SIGQUIT, its graceful shutdown) and exits
        when its open connections have closed, or after `drain` seconds
        (worker_shutdown_timeout); then HAProxy and the replicas stop."""
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.nginx.wait(timeout=self.drain + 10)
        self.stop()

    def stop(self) -> None:
        """nginx first (no new requests), then HAProxy, then the replicas; SIGKILL what does
        not stop."""
        procs = [p for p in (self.nginx, self.proxy) if p] + [r.proc for r in self.running]
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.nginx, self.proxy, self.running = None, None, []
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp, self.prefix = None, None


def _nobody_group() -> str:
    return grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicas", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1")
    ap.add_argument("--app", default="dashboard.py")
    ap.add_argument("--prefix", type=Path, help="configs and logs (default: a temp folder)")
    ap.add_argument("--base-url-path", default="", help="serve the app under /PATH (e.g. cbec)")
    ap.add_argument("--drain", type=int, default=30,
                    help="after SIGTERM, seconds open sessions may go on (default 30)")  # fmt: skip
    args = ap.parse_args(argv)
    if args.prefix:
        args.prefix.mkdir(parents=True, exist_ok=True)
    terminated: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, frame: terminated.append(signum))
    dep = Deployment(
        args.replicas, args.app, args.port, prefix=args.prefix, base=args.base_url_path,
        drain=args.drain,
    )  # fmt: skip
    with contextlib.suppress(KeyboardInterrupt), dep:
        print(f"{dep.url}  ->  " + ", ".join(r.addr for r in dep.running), flush=True)
        pids = ", ".join(f"r{i} pid {r.proc.pid}" for i, r in enumerate(dep.running))
        print(f"prefix (configs, logs, HAProxy's admin.sock): {dep.prefix}; {pids}; "
              "Ctrl-C stops, SIGTERM drains", flush=True)  # fmt: skip
        dep.supervise(lambda: bool(terminated))
        if terminated:
            print(f"SIGTERM: draining (at most {dep.drain} s)", file=sys.stderr, flush=True)
            dep.drain_and_stop()
            return 0
        print("HAProxy or nginx exited; stopping", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
