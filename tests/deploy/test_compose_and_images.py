"""deploy/compose.yml and deploy/docker/Dockerfile checked against the repository.

Docker is not available here, so nothing is built or started; these tests catch what
makes `docker compose up` fail or run insecurely: build targets and copied files that do
not exist, secrets a service expects but nobody creates, endpoint variables nobody sets,
template variables nginx does not get, services running as root or publishing ports,
replicas missing from the proxy, start order that lets Rasa race the migration.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import secret_files
from bot.paths import PROJECT_ROOT
from tests.deploy.dockerfile import DOCKERFILE, stages

DEPLOY = PROJECT_ROOT / "deploy"
sys.path.insert(0, str(DEPLOY / "nginx"))
from render import VARIABLE, render  # noqa: E402

#: Inputs of the build that `make` creates rather than git: the model (make train).
GENERATED = {"models/wegweiser.tar.gz"}
OURS = ("migrate", "actions", "rasa-1", "rasa-2", "web")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yml").read_text())


def env_of(service: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in (service.get("environment") or {}).items()}


def test_dockerfile_targets_and_copied_files_exist() -> None:
    found = stages()
    assert {"deps", "app", "rasa", "rasa-baked", "actions", "web"} <= found.keys()
    ignore = (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
    admitted = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    args = {}
    for steps in found.values():
        for instruction, arg in steps:
            if instruction == "ARG" and "=" in arg:
                name, _, value = arg.partition("=")
                args[name] = value
            if instruction != "COPY" or arg.startswith("--from"):
                continue
            *sources, _ = shlex.split(arg)
            for source in sources:
                source = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], source)
                source = source.rstrip("/")
                assert source in admitted, f"{source} is excluded by .dockerignore"
                if source not in GENERATED:
                    assert (PROJECT_ROOT / source).exists(), f"COPY {source}: no such file"


def test_images_install_only_the_hashed_runtime_lock() -> None:
    deps = " ".join(arg for _, arg in stages()["deps"])
    assert "--require-hashes -r /tmp/runtime.lock" in deps
    assert ("COPY", "requirements/runtime.lock /tmp/runtime.lock") in stages()["deps"]
    assert "dev.lock" not in DOCKERFILE.read_text()


def test_images_run_as_non_root_without_secrets_baked_in() -> None:
    found = stages()
    users = [arg for instruction, arg in found["app"] if instruction == "USER"]
    assert users == ["10001:10001"]
    for name in ("rasa", "rasa-baked", "actions", "web"):
        assert not [arg for instruction, arg in found[name] if instruction == "USER"]
    for steps in found.values():
        for instruction, arg in steps:
            if instruction in ("ENV", "ARG"):
                assert not re.search(r"TOKEN|PASSWORD|SECRET|KEY=", arg), arg


def test_entry_points_exist() -> None:
    found = stages()
    text = " ".join(
        arg for steps in found.values() for i, arg in steps if i in ("CMD", "ENTRYPOINT")
    )
    for module in re.findall(r'"-m", "([\w.]+)"', text):
        path = PROJECT_ROOT / Path(*module.split("."))
        assert path.with_suffix(".py").exists() or (path / "__main__.py").exists(), module
    for name in re.findall(r'"([\w.]+\.yml)"', text):
        assert (PROJECT_ROOT / name).exists(), name


def test_compose_builds_existing_targets_and_mounts_existing_files(compose) -> None:
    targets = stages().keys()
    for name, service in compose["services"].items():
        if build := service.get("build"):
            assert (DEPLOY / build["context"] / build["dockerfile"]).exists()
            assert build["target"] in targets, name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), f"{name}: {source}"
            else:
                assert source in compose["volumes"], f"{name}: volume {source}"


def test_every_secret_file_is_created_and_loaded(compose) -> None:
    command = " ".join(compose["services"]["secrets-init"]["command"])
    created = {spec.split(":")[0] for spec in command.split("&&")[0].split()[5:]}
    assert created == {
        "rasa_auth_token",
        "pseudonym_key",
        "session_key",
        "console_secret_key",
        "db_password",
    }
    for name, service in compose["services"].items():
        for key, value in env_of(service).items():
            if not key.endswith("_FILE"):
                continue
            assert value.startswith("/run/secrets/wegweiser/"), (name, key)
            assert Path(value).name in created, (name, key)
            assert "secrets:/run/secrets/wegweiser:ro" in service["volumes"], name
            if name != "postgres":  # the postgres image reads POSTGRES_PASSWORD_FILE itself
                assert key.removesuffix("_FILE") in secret_files.SECRET_NAMES, (name, key)


def test_endpoint_variables_are_all_provided(compose) -> None:
    """Rasa refuses to start on a ${VAR} of endpoints.production.yml that is unset."""
    lines = (PROJECT_ROOT / "endpoints.production.yml").read_text().splitlines()
    code = "\n".join(line.split("#")[0] for line in lines)  # not the comments
    used = set(re.findall(r"\$\{(\w+)\}", code))
    assert {"DB_PASSWORD", "REDIS_HOST", "ACTION_ENDPOINT_URL"} <= used
    for name in ("rasa-1", "rasa-2", "web", "migrate"):
        env = env_of(compose["services"][name])
        provided = set(env) | {k.removesuffix("_FILE") for k in env if k.endswith("_FILE")}
        assert used <= provided, (name, used - provided)
        assert env["ENDPOINTS"] == "endpoints.production.yml"


def test_start_order(compose) -> None:
    services = compose["services"]
    assert services["postgres"]["depends_on"]["secrets-init"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("rasa-1", "rasa-2", "web"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_hardening_and_only_nginx_published(compose) -> None:
    services = compose["services"]
    assert [n for n, s in services.items() if s.get("ports")] == ["nginx"]
    for name in OURS:
        service = services[name]
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"], name
        assert "user" not in service, name  # the image's uid 10001
    assert compose["networks"]["backend"]["internal"] is True
    assert "frontend" not in services["rasa-1"]["networks"]


def test_proxy_gets_every_replica_and_every_template_variable(compose) -> None:
    nginx = compose["services"]["nginx"]
    env = env_of(nginx)
    assert env["NGINX_ENVSUBST_FILTER"] == "^WEGWEISER_"
    template = (DEPLOY / "nginx" / "wegweiser.conf.template").read_text()
    assert set(VARIABLE.findall(template)) <= env.keys()
    # Compose's own ${...:-default} interpolation happens before; take the defaults.
    resolved = {k: re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", v) for k, v in env.items()}
    rendered = render(resolved)
    rasa = sorted(n for n in compose["services"] if n.startswith("rasa-"))
    assert len(rasa) >= 2
    for name in rasa:
        assert f"server {name}:5005" in rendered
    assert "server web:8080;" in rendered


def test_healthchecks_use_the_probe_endpoints(compose) -> None:
    expected = {"rasa-1": "/health/ready", "rasa-2": "/health/ready"}
    expected |= {"web": "/healthz", "actions": "/health"}
    for name, path in expected.items():
        check = " ".join(compose["services"][name]["healthcheck"]["test"])
        assert re.search(rf"127\.0\.0\.1:\d+{re.escape(path)}'", check), (name, check)


def test_interpolations_have_defaults() -> None:
    """`docker compose up` with no .env must work: every ${VAR} has a :- default."""
    text = (DEPLOY / "compose.yml").read_text()
    for match in re.finditer(r"\$\{(\w+)", text):
        assert text[match.end() : match.end() + 2] == ":-", match.group(1)


def unresolved(value: Any) -> list[str]:
    """Strings in a parsed YAML tree that still contain ``${``."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in unresolved(v)]
    if isinstance(value, list):
        return [s for v in value for s in unresolved(v)]
    return [value] if isinstance(value, str) and "${" in value else []


def test_rasa_substitutes_every_variable_of_the_production_endpoints(monkeypatch) -> None:
    """Rasa expands ${VAR} only in unquoted YAML values; a quoted one reached PostgreSQL
    as the host name "${db_host}" (found by test_image_layout.py)."""
    from rasa.shared.utils.io import read_yaml

    text = (PROJECT_ROOT / "endpoints.production.yml").read_text()
    for name in set(re.findall(r"\$\{(\w+)\}", text)):
        monkeypatch.setenv(name, f"value-of-{name.lower()}")
    monkeypatch.setenv("DB_PORT", "5432")
    monkeypatch.setenv("REDIS_PORT", "6379")
    config = read_yaml(text)
    assert unresolved(config) == []
    assert config["tracker_store"]["url"] == "value-of-db_host"
    assert config["lock_store"]["url"] == "value-of-redis_host"
