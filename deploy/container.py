"""Build and run the app's image (the repository's Dockerfile) without a container engine.

    python deploy/container.py --port 8501      # build (once), then serve until Ctrl-C

Where Docker or Podman runs, `docker build -t cbec-map .` is all it takes. Where none runs (CI,
this project's machines), buildah builds the same Dockerfile with `--isolation chroot` (as
root), `FROM` a Debian 12 base made here with debootstrap (no registry is needed), and runs
the image's own command, user and environment the same way. The host's CA bundle is lent to
the build (a volume, not a layer), so pip also works behind a proxy that re-signs TLS.
Used by tests/test_container.py.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: deploy/ is then the import path, not ROOT

from deploy.replicas import wait_for  # noqa: E402

BASE = "localhost/debian:12-slim"  # the Dockerfile's default is debian:12-slim from a registry
IMAGE = "localhost/cbec-map"
MIRROR = "http://deb.debian.org/debian"
STORAGE = ["--storage-driver", "vfs"]  # no overlay mounts inside an unprivileged sandbox
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")


def missing_tools() -> list[str]:
    """What building here needs and this machine lacks (apt-get install buildah debootstrap;
    buildah's chroot isolation needs root)."""
    out = [t for t in ("buildah", "debootstrap") if _tool(t) is None]
    if os.geteuid() != 0:
        out.append("root")
    return out


def _tool(name: str) -> str | None:
    """A tool on PATH, or in /usr/sbin (not on every user's PATH)."""
    return shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if os.access(p, os.X_OK)), None
    )


def buildah(*args: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["buildah", *STORAGE, *args], check=check, text=True, **kw)


def has_image(tag: str) -> bool:
    done = buildah("images", "-q", tag, check=False, capture_output=True)
    return done.returncode == 0 and bool(done.stdout.strip())


def build_base(tag: str = BASE, mirror: str = MIRROR) -> None:
    """A minimal Debian 12 image from debootstrap (about 2 minutes, 200 MB)."""
    with tempfile.TemporaryDirectory(prefix="cbec-base-", dir="/var/tmp") as tmp:
        rootfs = Path(tmp) / "rootfs"
        debootstrap = _tool("debootstrap") or "debootstrap"
        subprocess.run([debootstrap, "--variant=minbase", "bookworm", str(rootfs), mirror],
                       check=True, capture_output=True)  # fmt: skip
        subprocess.run(["tar", "-C", str(rootfs), "-cf", f"{tmp}/base.tar", "."], check=True)
        shutil.rmtree(rootfs)
        Path(tmp, "Containerfile").write_text('FROM scratch\nADD base.tar /\nCMD ["bash"]\n')
        buildah("bud", "--isolation", "chroot", "-t", tag, "-f", f"{tmp}/Containerfile", tmp,
                capture_output=True)  # fmt: skip


def build_image(tag: str = IMAGE, base: str = BASE) -> None:
    """The repository's Dockerfile, FROM `base`; Docker's format, which keeps HEALTHCHECK."""
    with tempfile.TemporaryDirectory(prefix="cbec-build-") as tmp:
        lend = []
        if HOST_CA.is_file():
            conf = Path(tmp) / "pip.conf"
            conf.write_text("[global]\ncert = /run/build-ca.crt\n")
            os.chmod(tmp, 0o755)
            lend = ["--volume", f"{HOST_CA}:/run/build-ca.crt:ro",
                    "--volume", f"{conf}:/etc/pip.conf:ro"]  # fmt: skip
        done = buildah("bud", "--isolation", "chroot", "--format", "docker",
                       "--build-arg", f"BASE={base}", *lend, "-t", tag,
                       "-f", str(ROOT / "Dockerfile"), str(ROOT),
                       check=False, capture_output=True)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"buildah bud failed:\n{done.stdout[-4000:]}{done.stderr[-4000:]}")


def config(tag: str = IMAGE) -> dict:
    """The image's Docker config: Cmd, Env, User, WorkingDir, ExposedPorts, Healthcheck."""
    done = buildah("inspect", "--type", "image", tag, capture_output=True)
    return json.loads(done.stdout)["Docker"]["config"]


class Running:
    """The image's own command, as its own user, in a working container (host network: the
    app listens on `port`); a context manager that removes the container."""

    def __init__(self, tag: str = IMAGE, port: int = 8501, env: dict[str, str] | None = None):
        self.tag, self.port, self.env = tag, port, {"PORT": str(port), **(env or {})}
        self.name = ""
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115  (closed in __exit__)

    def __enter__(self) -> Running:
        self.name = buildah("from", self.tag, capture_output=True).stdout.strip().splitlines()[-1]
        self.proc = subprocess.Popen(
            ["buildah", *STORAGE, "run", "--isolation", "chroot", *self._env(), self.name,
             "--", *config(self.tag)["Cmd"]],
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        return self

    def _env(self) -> list[str]:
        return [arg for k, v in self.env.items() for arg in ("--env", f"{k}={v}")]

    def exec(self, *cmd: str) -> subprocess.CompletedProcess:
        """Another command in the same container (the health check, a shell)."""
        return buildah("run", "--isolation", "chroot", *self._env(), self.name, "--", *cmd,
                       check=False, capture_output=True)  # fmt: skip

    def wait_healthy(self, timeout: float = 90) -> None:
        try:
            wait_for(f"http://127.0.0.1:{self.port}/_stcore/health", timeout, self.proc)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}; the container's output:\n{self.output()}") from None

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.name:
            buildah("rm", self.name, check=False, capture_output=True)
        self.log.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8501)
    ap.add_argument("--rebuild", action="store_true", help="build the image even if it exists")
    args = ap.parse_args(argv)
    if lacking := missing_tools():
        print(f"needs {', '.join(lacking)} (apt-get install buildah debootstrap)", file=sys.stderr)
        return 1
    if not has_image(BASE):
        print(f"debootstrap: {BASE}", flush=True)
        build_base()
    if args.rebuild or not has_image(IMAGE):
        print(f"buildah bud: {IMAGE}", flush=True)
        build_image()
    with Running(port=args.port) as run:
        run.wait_healthy()
        print(f"http://127.0.0.1:{args.port}  (Ctrl-C stops)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            run.proc.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
