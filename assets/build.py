"""Copy the pinned GraphiQL browser bundles from ``assets/node_modules`` into the gateway.

Contract:

* Precondition: ``npm ci`` has been run in this folder (``assets/``), so the packages
  pinned in ``package.json`` / ``package-lock.json`` are in ``assets/node_modules``.
* Effect: ``gateway/static/vendor/`` (resolved relative to this file, never the current
  working directory) is replaced atomically-enough (built in a sibling temp folder, then
  swapped in) by exactly the files in :data:`VENDOR_FILES`, the upstream license texts
  under ``LICENSES/``, and ``manifest.json`` recording each package's installed version
  and a short content hash per file (used by ``gateway.graphiql`` for cache busting).
* Exit status 0 on success; 1 with a message on stderr if a source file is missing.
* Standard library only; runs on any Python >= 3.11 (``python3 assets/build.py``).

The vendor folder is gitignored and must never be committed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent
NODE_MODULES = ASSETS_DIR / "node_modules"
VENDOR_DIR = ASSETS_DIR.parent / "gateway" / "static" / "vendor"

#: Destination file name in the vendor folder -> (npm package, path inside the package).
#: The graphiql UMD bundle already contains graphql, graphql-ws and all of GraphiQL's own
#: dependencies; it needs only the React 18 UMD globals ``React`` and ``ReactDOM``. The page
#: also loads graphql-ws's own UMD bundle (global ``graphqlWs``) to configure the websocket
#: client GraphiQL's bundle creates with fixed options (see ``gateway/static/graphiql.html``).
VENDOR_FILES: dict[str, tuple[str, str]] = {
    "react.production.min.js": ("react", "umd/react.production.min.js"),
    "react-dom.production.min.js": ("react-dom", "umd/react-dom.production.min.js"),
    "graphiql.min.js": ("graphiql", "graphiql.min.js"),
    "graphiql.min.css": ("graphiql", "graphiql.min.css"),
    "graphql-ws.min.js": ("graphql-ws", "umd/graphql-ws.min.js"),
}


def _package_version(package: str) -> str:
    data = json.loads((NODE_MODULES / package / "package.json").read_text(encoding="utf-8"))
    return str(data["version"])


def build(vendor_dir: Path = VENDOR_DIR) -> dict[str, object]:
    """Populate *vendor_dir* from ``node_modules``; return the manifest written.

    Raises ``FileNotFoundError`` if ``npm ci`` has not been run or a pinned package lacks
    an expected file.
    """
    missing = [
        str(NODE_MODULES / pkg / rel)
        for pkg, rel in VENDOR_FILES.values()
        if not (NODE_MODULES / pkg / rel).is_file()
    ]
    if missing:
        raise FileNotFoundError(
            "missing npm files (run `npm ci` in assets/ first): " + ", ".join(missing)
        )

    vendor_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".vendor-", dir=vendor_dir.parent))
    try:
        staging.chmod(0o755)  # mkdtemp creates 0700; the server may run as another user
        files: dict[str, str] = {}
        for dest, (pkg, rel) in VENDOR_FILES.items():
            data = (NODE_MODULES / pkg / rel).read_bytes()
            (staging / dest).write_bytes(data)
            files[dest] = hashlib.sha256(data).hexdigest()[:16]
        packages = sorted({pkg for pkg, _ in VENDOR_FILES.values()})
        licenses = staging / "LICENSES"
        licenses.mkdir()
        for pkg in packages:
            for name in ("LICENSE", "LICENSE.md"):  # graphql-ws ships LICENSE.md
                src = NODE_MODULES / pkg / name
                if src.is_file():
                    shutil.copyfile(src, licenses / f"{pkg}.LICENSE")
                    break
        manifest: dict[str, object] = {
            "packages": {pkg: _package_version(pkg) for pkg in packages},
            "files": files,
        }
        (staging / "manifest.json").write_text(
            json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        if vendor_dir.exists():
            shutil.rmtree(vendor_dir)
        staging.rename(vendor_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return manifest


def main() -> int:
    """CLI entry point: build the vendor folder and print a one-line summary."""
    try:
        manifest = build()
    except FileNotFoundError as exc:
        print(f"assets/build.py: {exc}", file=sys.stderr)
        return 1
    packages = manifest["packages"]
    assert isinstance(packages, dict)
    summary = ", ".join(f"{name}@{version}" for name, version in sorted(packages.items()))
    print(f"assets/build.py: wrote {VENDOR_DIR} ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
