"""Every docstring example in src/ runs as written (compare keras-hub's
docstring tests): ``>>>`` examples under doctest (outputs checked), fenced
```python blocks executed, each with ``np`` and ``keras`` available as the
examples assume, in a temporary working folder (examples may write files)."""

import doctest
import importlib
import io
import pkgutil
import re
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest

import base_attentive

PACKAGE = Path(base_attentive.__file__).parent
FENCED = re.compile(r"```python\n(.*?)```", re.DOTALL)
MARKERS = (">>>", "```python")


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
        if source.exists() and any(
            marker in source.read_text(encoding="utf-8") for marker in MARKERS
        ):
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
    finder = doctest.DocTestFinder(exclude_empty=False)
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    report = io.StringIO()
    tests = finder.find(module, module_name, extraglobs={"np": np, "keras": keras})
    fenced = 0
    for test in tests:
        runner.run(test, out=report.write)
        for block in FENCED.findall(test.docstring or ""):
            code = compile(textwrap.dedent(block), f"<{test.name}>", "exec")
            exec(code, {**vars(module), "np": np, "keras": keras})
            fenced += 1
    assert runner.failures == 0, report.getvalue()
    assert runner.tries + fenced > 0, f"{module_name}: no example ran"
