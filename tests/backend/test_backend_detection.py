import importlib.metadata

import pytest

from base_attentive import (
    detect_available_backends,
    get_available_backends,
    select_best_backend,
)
from base_attentive.backend import (
    check_jax_compatibility,
    check_tensorflow_compatibility,
    check_torch_compatibility,
    detection,
    versions,
)

FIELDS = {"available", "version", "supported", "min_version", "distribution", "reason"}


@pytest.fixture
def fake_frameworks(monkeypatch):
    """Pretend exactly the given frameworks are installed: {name: version}."""

    def install(installed, modules=None):
        if modules is None:  # every framework importable; jax brings jaxlib
            modules = set(installed) | ({"jaxlib"} if "jax" in installed else set())

        def find(name):
            name = detection.normalize_backend_name(name)
            return (name, installed[name]) if name in installed else None

        monkeypatch.setattr(detection, "_module_installed", lambda m: m in modules)
        monkeypatch.setattr(detection, "find_distribution", find)
        monkeypatch.setattr(versions, "find_distribution", find)

    return install


def test_every_backend_is_reported_installed_or_not(fake_frameworks):
    fake_frameworks({"torch": "2.3.0"})
    info = detect_available_backends()
    assert list(info) == ["tensorflow", "torch", "jax"]
    for details in info.values():
        assert set(details) == FIELDS
    assert info["torch"]["supported"] and info["torch"]["reason"] is None
    assert info["jax"] == {
        "available": False,
        "version": None,
        "supported": False,
        "min_version": "0.4.30",
        "distribution": None,
        "reason": "not installed (pip install 'jax>=0.4.30')",
    }


def test_detection_matches_the_real_environment():
    info = detect_available_backends()
    for details in info.values():
        if details["supported"]:
            assert details["available"]
            assert details["version"] is not None
    assert info["torch"]["version"] == _metadata_version("torch")
    assert info["jax"]["version"] == _metadata_version("jax")


def _metadata_version(distribution):
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def test_too_old_version_is_installed_but_not_supported(fake_frameworks):
    fake_frameworks({"tensorflow": "2.15.1", "torch": "2.0.1+cu118"})
    info = detect_available_backends()
    assert info["tensorflow"]["available"] and not info["tensorflow"]["supported"]
    assert "older than the minimum 2.16.0" in info["tensorflow"]["reason"]
    assert "--upgrade 'tensorflow>=2.16.0'" in info["tensorflow"]["reason"]
    assert not info["torch"]["supported"]


def test_prerelease_of_the_minimum_is_not_supported(fake_frameworks):
    fake_frameworks({"tensorflow": "2.16.0rc1"})
    assert not detect_available_backends()["tensorflow"]["supported"]


def test_jax_without_jaxlib_is_not_supported(fake_frameworks):
    fake_frameworks({"jax": "0.4.35"}, modules={"jax"})
    details = detect_available_backends()["jax"]
    assert details["available"] and not details["supported"]
    assert "jaxlib is missing" in details["reason"]


def test_installed_module_without_metadata_is_not_confirmed(fake_frameworks):
    fake_frameworks({}, modules={"torch"})
    details = detect_available_backends()["torch"]
    assert details["available"] and details["version"] is None
    assert not details["supported"]
    assert "version" in details["reason"]


def test_unparseable_version_is_reported_not_raised(fake_frameworks):
    fake_frameworks({"torch": "weird-build"})
    details = detect_available_backends()["torch"]
    assert not details["supported"]
    assert "cannot be parsed" in details["reason"]


@pytest.mark.parametrize(
    "installed, expected",
    [
        ({"tensorflow": "2.21.0", "torch": "2.5.0", "jax": "0.6.0"}, "tensorflow"),
        ({"torch": "2.5.0", "jax": "0.6.0"}, "torch"),
        ({"jax": "0.6.0"}, "jax"),
        ({"tensorflow": "2.15.0", "jax": "0.6.0"}, "jax"),
        ({}, None),
    ],
)
def test_select_best_backend_prefers_tensorflow_then_torch_then_jax(
    fake_frameworks, installed, expected
):
    fake_frameworks(installed)
    assert select_best_backend() == expected


def test_select_best_backend_can_accept_unsupported_versions(fake_frameworks):
    fake_frameworks({"tensorflow": "2.15.0", "jax": "0.6.0"})
    assert select_best_backend(require_supported=False) == "tensorflow"


def test_get_available_backends_lists_usable_backends_in_order(fake_frameworks):
    fake_frameworks({"jax": "0.6.0", "torch": "2.5.0", "tensorflow": "2.10.0"})
    assert get_available_backends() == ["torch", "jax"]


def test_compatibility_checks_report_success_with_the_minimum(fake_frameworks):
    fake_frameworks({"tensorflow": "2.21.0", "torch": "2.13.0+cpu", "jax": "0.10.2"})
    assert check_tensorflow_compatibility() == (
        True,
        "TensorFlow 2.21.0 is compatible (>= 2.16.0)",
    )
    assert check_torch_compatibility() == (
        True,
        "PyTorch 2.13.0+cpu is compatible (>= 2.1.0)",
    )
    assert check_jax_compatibility() == (True, "JAX 0.10.2 is compatible (>= 0.4.30)")


def test_compatibility_checks_say_how_to_install_or_upgrade(fake_frameworks):
    fake_frameworks({"torch": "1.13.1"})
    ok, message = check_jax_compatibility()
    assert not ok
    assert message == "JAX is not installed: pip install 'jax>=0.4.30'"
    ok, message = check_torch_compatibility()
    assert not ok
    assert "older than the minimum 2.1.0" in message
