"""Only the backend layer, the kernels and the distributed package touch a
framework (compare keras-hub's import test).

Everything else is written once in Keras: no module outside
``base_attentive/backend/``, ``base_attentive/kernels/`` and
``base_attentive/distributed/`` imports TensorFlow, PyTorch or JAX, or
branches on the backend name (a comparison with ``"tensorflow"``,
``"torch"`` or ``"jax"``, or a ``match`` case on one). Checked on the source
text (AST), so the rule holds for code that no test runs.
"""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "base_attentive"
ALLOWED = ("backend", "kernels", "distributed")
FRAMEWORKS = {"tensorflow", "torch", "jax", "jaxlib"}
BACKEND_NAMES = {"tensorflow", "torch", "jax"}


def _names_a_backend(node):
    """Whether ``node`` is a backend-name string or a collection holding one."""
    if isinstance(node, ast.Constant):
        return node.value in BACKEND_NAMES
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_names_a_backend(element) for element in node.elts)
    return False


def framework_violations(source):
    """``(line, what)`` for each framework import or backend-name branch."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in FRAMEWORKS:
                    found.append((node.lineno, f"imports {alias.name}"))
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module.split(".")[0] in FRAMEWORKS:
                found.append((node.lineno, f"imports from {node.module}"))
        elif isinstance(node, ast.Compare):
            if any(_names_a_backend(side) for side in [node.left, *node.comparators]):
                found.append((node.lineno, "compares with a backend name"))
        elif isinstance(node, ast.MatchValue) and _names_a_backend(node.value):
            found.append((node.lineno, "matches a backend name"))
    return found


def _checked_modules():
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(PACKAGE) if PACKAGE in path.parents else None
        if relative is not None and relative.parts[0] in ALLOWED:
            continue
        yield path


def test_no_module_outside_backend_kernels_distributed_touches_a_framework():
    violations = [
        f"{path.relative_to(SRC)}:{line}: {what}"
        for path in _checked_modules()
        for line, what in framework_violations(path.read_text(encoding="utf-8"))
    ]
    assert violations == [], (
        "Per-backend code belongs in base_attentive/kernels/ (with a Keras "
        "fallback), the backend layer or base_attentive/distributed/:\n"
        + "\n".join(violations)
    )


def test_the_check_sees_every_form_of_framework_code():
    source = """
import torch
import jax.numpy as jnp
from tensorflow import keras as tf_keras
if keras.backend.backend() == "jax":
    pass
if get_backend() in ("torch", "tensorflow"):
    pass
match backend:
    case "torch":
        pass
import numpy, keras
if name == "other":
    pass
"""
    found = framework_violations(source)
    assert [line for line, _ in found] == [2, 3, 4, 5, 7, 10]
    assert found[0] == (2, "imports torch")


def test_the_check_covers_the_whole_package():
    checked = {path.relative_to(SRC).as_posix() for path in _checked_modules()}
    assert "base_attentive/layers/gated_linear_unit.py" in checked
    assert "base_attentive/models/base_attentive.py" in checked
    assert "base_attentive/commands/runtime.py" in checked
    assert not any(
        path.startswith(("base_attentive/kernels/", "base_attentive/backend/"))
        for path in checked
    )
