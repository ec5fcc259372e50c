"""deploy/kubernetes.yaml, checked without a cluster: every core resource against Kubernetes'
own schemas (kubernetes-validate --strict: an unknown or misspelt field fails), the HTTPRoute
(a Gateway API resource, for which kubernetes-validate has no schema) against the rules its
API documents, and the parts against one another and against the Dockerfile. And
scripts/drain.py, the pod's preStop hook, against real connections."""

from __future__ import annotations

import re
import socket
import subprocess
import sys

import kubernetes_validate
import pytest
import yaml

from cbec import paths

MANIFEST = paths.ROOT / "deploy" / "kubernetes.yaml"
# the newest release kubernetes-validate knows, and two minor releases before it
VERSIONS = ("1.35.0", "1.37.0")


def docs() -> dict[str, dict]:
    return {d["kind"]: d for d in yaml.safe_load_all(MANIFEST.read_text()) if d}


@pytest.mark.parametrize("version", VERSIONS)
def test_the_core_resources_pass_kubernetes_own_schemas_strictly(version):
    found = docs()
    assert set(found) == {"Deployment", "Service", "PodDisruptionBudget", "HTTPRoute"}
    for kind in ("Deployment", "Service", "PodDisruptionBudget"):
        kubernetes_validate.validate(found[kind], version, strict=True)  # raises when wrong
    broken = {**found["Deployment"], "spec": {**found["Deployment"]["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, version, strict=True)  # the check can fail


def test_the_route_keeps_a_browser_on_its_pod_by_cookie():
    """Gateway API HTTPRoute (v1, experimental channel's sessionPersistence): field names and
    values as the API defines them (sessionName at most 128 bytes, type Cookie or Header,
    lifetimeType Session or Permanent, durations like 0s/30m), pointing at the Service."""
    found = docs()
    route, service = found["HTTPRoute"], found["Service"]
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert set(route["spec"]) == {"parentRefs", "hostnames", "rules"}
    (rule,) = route["spec"]["rules"]
    assert set(rule) <= {"matches", "backendRefs", "sessionPersistence", "timeouts", "filters"}
    persist = rule["sessionPersistence"]
    assert set(persist) <= {"sessionName", "type", "cookieConfig", "absoluteTimeout",
                            "idleTimeout"}  # fmt: skip
    assert persist["type"] == "Cookie" and 0 < len(persist["sessionName"].encode()) <= 128
    assert persist["cookieConfig"] == {"lifetimeType": "Session"}
    assert all(re.fullmatch(r"([0-9]{1,5}(h|m|s|ms)){1,4}", v) for v in rule["timeouts"].values())
    (backend,) = rule["backendRefs"]
    assert backend == {
        "name": service["metadata"]["name"],
        "port": service["spec"]["ports"][0]["port"],
    }
    for host in route["spec"]["hostnames"]:
        assert re.fullmatch(
            r"(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", host
        )


def test_the_parts_agree_with_one_another_and_with_the_image():
    found = docs()
    deploy, service, budget = found["Deployment"], found["Service"], found["PodDisruptionBudget"]
    pod = deploy["spec"]["template"]
    labels = pod["metadata"]["labels"]
    for selector in (deploy["spec"]["selector"]["matchLabels"], service["spec"]["selector"],
                     budget["spec"]["selector"]["matchLabels"]):  # fmt: skip
        assert selector.items() <= labels.items()
    assert budget["spec"]["minAvailable"] < deploy["spec"]["replicas"]  # a node can be drained
    (app,) = pod["spec"]["containers"]
    (port,) = app["ports"]
    env = {e["name"]: e["value"] for e in app["env"]}
    assert env["PORT"] == str(port["containerPort"])
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert app[probe]["httpGet"] == {"path": "/_stcore/health", "port": port["name"]}
    ready = app["readinessProbe"]
    assert ready["periodSeconds"] * ready["failureThreshold"] + ready["timeoutSeconds"] <= 15
    assert "memory" in app["resources"]["limits"]
    # the image: its user, and the drain script inside it (not left out by .dockerignore)
    dockerfile = (paths.ROOT / "Dockerfile").read_text()
    user = re.search(r"^USER (\d+):(\d+)$", dockerfile, re.M)
    assert pod["spec"]["securityContext"]["runAsUser"] == int(user.group(1))
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    assert app["securityContext"]["readOnlyRootFilesystem"] is True
    assert "build_static.py" in dockerfile  # so nothing needs writing at run time
    hook = app["lifecycle"]["preStop"]["exec"]["command"]
    script = next(part for part in hook if part.endswith(".py"))
    assert (paths.ROOT / script).is_file()
    ignored = (paths.ROOT / ".dockerignore").read_text().split()
    assert not any(script == i or script.startswith(i.rstrip("/") + "/") for i in ignored)
    bound = float(hook[hook.index("--max") + 1])
    assert bound + 10 <= pod["spec"]["terminationGracePeriodSeconds"]
    assert str(port["containerPort"]) == hook[hook.index("--port") + 1]


def test_drain_waits_for_open_connections_and_no_longer_than_its_bound():
    """A real listening socket: with two connections open, drain.py waits; once they close it
    exits 0; with one left open past --max, it exits 1 and says how many."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
    accepted = [server.accept()[0] for _ in clients]
    script = str(paths.ROOT / "scripts" / "drain.py")
    cmd = [sys.executable, script, "--port", str(port), "--every", "0.1"]
    try:
        waiting = subprocess.Popen([*cmd, "--max", "60"], stderr=subprocess.PIPE, text=True)
        assert waiting.stderr is not None
        said = waiting.stderr.readline()  # its first look, before any connection closes
        still = waiting.poll() is None and "2 connections" in said
        for s in clients + accepted:
            s.close()
        _, err = waiting.communicate(timeout=60)
        assert still and waiting.returncode == 0, (said, err)
        clients = [socket.create_connection(("127.0.0.1", port))]
        accepted = [server.accept()[0]]
        bounded = subprocess.run([*cmd, "--max", "0.5"], capture_output=True, text=True,
                                 timeout=30)  # fmt: skip
        assert bounded.returncode == 1
        assert "1 connections" in bounded.stderr or "2 connections" in bounded.stderr
    finally:
        for s in clients + accepted:
            s.close()
        server.close()
