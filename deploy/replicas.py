"""N identical Streamlit replicas behind nginx on one machine, started and stopped cleanly.

    python deploy/replicas.py --replicas 2 --port 8080     # until Ctrl-C or SIGTERM

Streamlit keeps a session (widget state, caches of the session, media files) in one process,
so more capacity means more processes and a load balancer that keeps each browser on its
replica and passes websockets. This starts the replicas on free loopback ports (one shared
cookie secret, so XSRF cookies stay valid if a browser moves), waits for each /_stcore/health,
writes deploy/nginx.conf into a private prefix (pid file, temp paths, logs: nothing under
/etc or /var), checks it with `nginx -t`, starts nginx in the foreground and waits for its
/healthz and for /_stcore/health through it. As root, nginx's workers run as nobody. A replica
that exits (a crash, an out-of-memory kill) is started again on its port with a growing pause;
the others go on serving (`Deployment.supervise`).
Used by tests/test_deploy.py through `Deployment`.
"""

from __future__ import annotations

import argparse
import contextlib
import grp
import os
import pwd
import re
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
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"
COOKIE = "replica"  # the sticky-session cookie nginx sets


def nginx_path() -> str | None:
    """Debian's nginx (in /usr/sbin, which is not on every user's PATH)."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


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
        """As nginx names it in $upstream_addr (and the X-Replica header)."""
        return f"127.0.0.1:{self.port}"


@dataclass
class Deployment:
    """Replicas plus nginx; a context manager that stops everything it started, also when
    starting fails half-way."""

    replicas: int = 2
    app: str = "dashboard.py"
    port: int = 0  # nginx's port; 0: a free one
    env: dict[str, str] = field(default_factory=dict)
    max_fails: int = 1
    conn_per_client: int = 100  # nginx's limit_conn per address
    frame_ancestors: str = "*"  # who may embed the app (CSP frame-ancestors)
    base: str = ""  # the app's base path (Streamlit's server.baseUrlPath), e.g. "cbec"
    fail_timeout: str = "10s"
    timeout: float = 90.0
    prefix: Path | None = None
    running: list[Replica] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
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
        nginx = nginx_path()
        if nginx is None:
            raise RuntimeError("nginx not found: apt-get install nginx")
        if self.prefix is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="cbec-deploy-")
            self.prefix = Path(self._tmp.name)
        self.port = self.port or free_port()
        # One secret for all replicas: a cookie signed by one is valid on the others.
        self._secret = secrets.token_hex(32)
        for i in range(self.replicas):
            self.running.append(self._spawn(i, free_port()))
        for r in self.running:  # started together, checked one by one
            wait_for(f"http://{r.addr}{self.path}/_stcore/health", self.timeout, r.proc)

        conf = self.write_config()
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
        """Until `stop()` or nginx exits: a replica that exits is started again on its port
        (nginx's upstream list stays valid), after a pause that doubles with each exit in a
        row (1 s, 2 s, ... 30 s; back to 1 s once it has run a minute), and the others go on
        serving. (It used to stop everything: one `kill -9` took the site down in 4 s.)"""
        pause = [1.0] * len(self.running)
        due: dict[int, float] = {}  # replica -> when to start it again
        started = [time.monotonic()] * len(self.running)
        while not stop() and self.nginx is not None and self.nginx.poll() is None:
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

    def write_config(self) -> Path:
        assert self.prefix is not None
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        user = ""
        if os.geteuid() == 0:  # nginx would switch its workers to nobody anyway: say so
            nobody = pwd.getpwnam("nobody")
            group = grp.getgrgid(nobody.pw_gid).gr_name
            user = f"user nobody {group};"
            self.prefix.chmod(0o755)
            for d in (self.prefix / "tmp", *(self.prefix / "tmp").iterdir()):
                os.chown(d, nobody.pw_uid, nobody.pw_gid)
        servers = "\n".join(
            f"        server {r.addr} max_fails={self.max_fails} fail_timeout={self.fail_timeout};"
            for r in self.running
        )
        # by the last address tried ($upstream_addr lists each replica a request was tried on)
        names = "\n".join(
            f'        "~(^|, ){re.escape(r.addr)}$" r{i};' for i, r in enumerate(self.running)
        )
        text = TEMPLATE.read_text()
        for name, value in {
            "REPLICA_NAMES": names,
            "CONN_PER_CLIENT": str(self.conn_per_client),
            "FRAME_ANCESTORS": self.frame_ancestors,
            "PREFIX": str(self.prefix),
            "USER": user,
            "LISTEN": f"127.0.0.1:{self.port}",
            "SERVERS": servers,
            "COOKIE": COOKIE,
            "MAX_FAILS": str(self.max_fails),
            "FAIL_TIMEOUT": self.fail_timeout,
        }.items():
            text = text.replace("{{" + name + "}}", value)
        if "{{" in text:
            raise RuntimeError("deploy/nginx.conf has a placeholder replicas.py does not fill")
        conf = self.prefix / "nginx.conf"
        conf.write_text(text)
        return conf

    def named(self, name: str) -> int:
        """The index of the replica nginx names `name` in X-Replica (r0, r1, ...)."""
        return int(name.removeprefix("r"))

    def kill(self, i: int) -> None:
        """Crash replica i (SIGKILL): what a failed machine or an OOM kill looks like."""
        self.running[i].proc.kill()
        self.running[i].proc.wait()

    def stop(self) -> None:
        """nginx first (no new requests), then the replicas; SIGKILL what does not stop."""
        procs = ([self.nginx] if self.nginx else []) + [r.proc for r in self.running]
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.nginx, self.running = None, []
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp, self.prefix = None, None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicas", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1")
    ap.add_argument("--app", default="dashboard.py")
    ap.add_argument("--prefix", type=Path, help="nginx's folder (default: a temp folder)")
    ap.add_argument("--base-url-path", default="", help="serve the app under /PATH (e.g. cbec)")
    args = ap.parse_args(argv)
    if args.prefix:
        args.prefix.mkdir(parents=True, exist_ok=True)

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    dep = Deployment(
        args.replicas, args.app, args.port, prefix=args.prefix, base=args.base_url_path
    )
    with contextlib.suppress(KeyboardInterrupt), dep:
        print(f"{dep.url}  ->  " + ", ".join(r.addr for r in dep.running), flush=True)
        pids = ", ".join(f"r{i} pid {r.proc.pid}" for i, r in enumerate(dep.running))
        print(f"nginx prefix (config, logs): {dep.prefix}; {pids}; Ctrl-C stops", flush=True)
        dep.supervise(lambda: False)
        print("nginx exited; stopping", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
