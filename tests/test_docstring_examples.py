"""Every docstring example in src/ runs as written (compare keras-hub's
docstring tests): doctest, with ``np`` and ``keras`` available as the
examples assume, in a temporary working folder (examples may write files)."""

import doctest
import importlib
import io
import pkgutil
from pathlib import Path

import keras
import numpy as np
import pytest

import base_attentive

PACKAGE = Path(base_attentive.__file__).parent


def _modules_with_examples():
    names = [
        info.name
        for info in pkgutil.walk_packages(base_attentive.__path__, "base_attentive.")
    ]
    names.append("base_attentive")
    found = []
    for name in sorted(names):
        relative = name.split(".")[1:]
        path = PACKAGE.joinpath(*relative)
        source = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        if source.exists() and ">>>" in source.read_text(encoding="utf-8"):
            found.append(name)
    return found


MODULES = _modules_with_examples()


def test_examples_are_found():
    assert "base_attentive.models.base_attentive" in MODULES
    assert len(MODULES) > 20


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_run(module_name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    report = io.StringIO()
    tests = finder.find(module, module_name, extraglobs={"np": np, "keras": keras})
    for test in tests:
        runner.run(test, out=report.write)
    assert runner.failures == 0, report.getvalue()
    assert runner.tries > 0, f"{module_name} has `>>>` but no example ran"
