"""The Dockerfile cannot be built here (no Docker engine): hadolint lints it (and must refuse
a broken copy), and its structure is checked: one image for every process, built from
pyproject.toml with the pinned constraints in a build stage, a final stage without
build tools that runs as a non-root user with a health check, and a build context
that leaves the virtualenv, caches and broker data out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.deploy.validators import REPO_ROOT, hadolint

DOCKERFILE = REPO_ROOT / "Dockerfile"


def _stages() -> list[list[str]]:
    """Instructions per stage, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    stages: list[list[str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def test_hadolint_finds_nothing() -> None:
    result = hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("WORKDIR /tmp", "RUN apt-get update && apt-get install -y gcc", "DL3015"),
        ("WORKDIR /tmp", "RUN cd /tmp", "DL3003"),
        ("USER 10001:10001", "USER root", "DL3002"),
    ],
)
def test_hadolint_refuses_a_broken_copy(tmp_path: Path, old: str, new: str, rule: str) -> None:
    text = DOCKERFILE.read_text()
    assert old in text
    broken = tmp_path / "Dockerfile"
    broken.write_text(text.replace(old, new, 1))
    result = hadolint(broken)
    assert result.returncode != 0
    assert rule in result.stdout


def test_a_build_stage_installs_the_pinned_project_and_the_final_stage_copies_it() -> None:
    build, final = _stages()
    assert build[0].endswith(" AS build")
    copied = " ".join(line for line in build if line.startswith("COPY"))
    assert "pyproject.toml" in copied
    assert "constraints.txt" in copied
    installs = [line for line in build if "pip install" in line]
    assert installs
    assert all("-c constraints.txt" in line for line in installs)
    # Dependencies only from wheels: a compiler is never needed, in either stage.
    assert "--only-binary=:all:" in installs[0]
    assert any(line.startswith("COPY --from=build /opt/venv") for line in final)


def test_the_final_stage_has_no_build_tools_runs_unprivileged_and_is_checked() -> None:
    _, final = _stages()
    text = "\n".join(final)
    assert not re.search(r"apt-get|apk |gcc|build-essential|pip install", text)
    users = [line.split()[1] for line in final if line.startswith("USER ")]
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")
    assert any(line.startswith("HEALTHCHECK ") and "/health/live" in line for line in final)
    assert 'ENTRYPOINT ["python", "-m"]' in final


def test_the_build_context_leaves_local_state_out() -> None:
    ignored = (REPO_ROOT / ".dockerignore").read_text().splitlines()
    assert "*" in ignored, "everything is excluded, then what the image needs let in"
    for local in (".venv", ".cache", ".data", ".git", ".run"):
        assert f"!{local}" not in ignored
    allowed = {line[1:].rstrip("/") for line in ignored if line.startswith("!")}
    for line in _stages()[0] + _stages()[1]:
        if line.startswith("COPY ") and "--from=" not in line:
            for source in line.split()[1:-1]:
                assert source in allowed, f"{source} is copied but not in the build context"
