"""The deployment files: `docker-compose config` validates the compose file (Debian's docker-compose
1.29, which needs no Docker daemon for `config`), and the structure the production notes promise is
checked directly: profiles, healthchecks, volumes, a non-root image, no published Qdrant port."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from veiviser.settings import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docker-compose.yml"


def compose_command() -> list[str] | None:
    """docker-compose v1 (`make test` installs it), or the v2 plugin where one exists."""
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    return None


@pytest.mark.parametrize("profile", [None, "cluster"])
def test_compose_config_validates(profile: str | None) -> None:
    command = compose_command()
    if command is None:
        pytest.skip("no docker-compose binary: `make test` installs Debian's docker-compose")
    args = [*command, "-f", str(COMPOSE), *(["--profile", profile] if profile else []), "config", "--services"]
    result = subprocess.run(args, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    services = set(result.stdout.split())
    assert {"qdrant", "api"} <= services
    cluster = {"qdrant-node1", "qdrant-node2", "qdrant-node3", "indexer", "api-replica", "proxy"}
    if profile:  # (v1 lists every service whatever the profile; profiles are checked below)
        assert cluster <= services


def test_compose_structure() -> None:
    spec = yaml.safe_load(COMPOSE.read_text())
    services = spec["services"]
    for name, service in services.items():
        if name != "indexer":  # a one-shot job
            assert "healthcheck" in service and "test" in service["healthcheck"], name
    for name in ("qdrant", "qdrant-node1", "qdrant-node2", "qdrant-node3"):
        assert "ports" not in services[name], f"{name}: Qdrant is reachable only on the compose network"
        assert any(v.endswith(":/qdrant/storage") for v in services[name]["volumes"]), name
        assert set(spec["volumes"]) >= {v.split(":")[0] for v in services[name]["volumes"]}
    assert "profiles" not in services["qdrant"] and "profiles" not in services["api"], "the default deployment"
    for name in ("qdrant-node1", "qdrant-node2", "qdrant-node3", "indexer", "api-replica", "proxy"):
        assert services[name]["profiles"] == ["cluster"]
    for name in ("qdrant-node1", "qdrant-node2", "qdrant-node3"):
        assert services[name]["environment"]["QDRANT__CLUSTER__ENABLED"] == "true"
    assert services["api-replica"]["deploy"]["replicas"] == 2
    assert services["api-replica"]["environment"]["VEIVISER_QDRANT_REPLICATION_FACTOR"] == "2"
    assert services["api-replica"]["depends_on"]["indexer"]["condition"] == "service_completed_successfully"
    assert services["api"]["environment"]["VEIVISER_QDRANT_URL"] == "http://qdrant:6333"
    assert all(key.startswith(("VEIVISER_", "QDRANT__")) for s in services.values()
               for key in (s.get("environment") or {}))
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in services["proxy"]["volumes"]


def test_dockerfile_runs_as_non_root_with_the_model_built_in() -> None:
    lines = [line.strip() for line in (PROJECT_ROOT / "Dockerfile").read_text().splitlines()]
    users = [line for line in lines if line.startswith("USER ")]
    assert users and users[-1] != "USER root"
    assert any(line.startswith("RUN veiviser model") for line in lines), "the model is provisioned at build time"
    assert any(line.startswith("HEALTHCHECK") for line in lines)
    ignored = (PROJECT_ROOT / ".dockerignore").read_text().split()
    assert {"data", "models", ".venv", ".git"} <= set(ignored)


def test_nginx_retries_the_next_replica_and_logs_no_queries() -> None:
    conf = Path(PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    assert "server api-replica:8000" in conf and "proxy_next_upstream error timeout http_502 http_503" in conf
    assert "access_log off;" in conf
