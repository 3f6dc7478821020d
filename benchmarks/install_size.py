"""Install size of a serving and of a training environment of base-attentive.

Run with the interpreter of an environment that holds every package counted
(``python benchmarks/install_size.py``): for each profile it resolves the
requirement closure from the installed packages' metadata, starting from
base-attentive's core dependencies (pyproject.toml) plus the profile's
extra packages, and adds up the size of every installed file of those
distributions (their RECORD). Nothing is installed or downloaded. Profiles:
``serving`` (core + onnxruntime, the ``onnx`` extra) and ``training-<backend>``
(core + the backend's framework). Prints one JSON document.
"""

import json
import re
import sys
from importlib import metadata
from pathlib import Path

import tomllib
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parent.parent
PROFILES = {
    "serving (core + onnxruntime)": ["onnxruntime"],
    "training-tensorflow (core + tensorflow-cpu)": ["tensorflow-cpu"],
    "training-torch (core + torch)": ["torch"],
    "training-jax (core + jax)": ["jax"],
}


def _key(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(names):
    """Installed distributions needed by `names`, recursively (no extras)."""
    seen, todo = {}, list(names)
    while todo:
        name = _key(todo.pop())
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            seen[name] = None
            continue
        seen[name] = dist
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def size_mb(dist):
    total = 0
    for file in dist.files or []:
        path = Path(dist.locate_file(file))
        if path.is_file():
            total += path.stat().st_size
    return total / 2**20


def core_dependencies():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return [Requirement(line).name for line in project["dependencies"]]


def main():
    core = core_dependencies()
    result = {"python": sys.version.split()[0], "core": core, "profiles": {}}
    for profile, extra in PROFILES.items():
        dists = closure(core + extra)
        missing = sorted(name for name, dist in dists.items() if dist is None)
        sizes = {name: size_mb(dist) for name, dist in dists.items() if dist}
        result["profiles"][profile] = {
            "mb": round(sum(sizes.values()), 1),
            "distributions": len(sizes),
            "largest": sorted(sizes.items(), key=lambda item: -item[1])[:5],
            "not_installed": missing,
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
