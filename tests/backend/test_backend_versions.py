import importlib.metadata

import pytest

from base_attentive.backend import (
    MIN_VERSIONS,
    get_backend_version,
    version_at_least,
    versions,
)


@pytest.mark.parametrize(
    "version, minimum, expected",
    [
        ("2.13.0", "2.12.0", True),
        ("2.13.0+cpu", "2.12.0", True),
        ("2.13.0+cpu", "2.13.0", True),
        ("2.13.0+cpu", "2.14", False),
        ("2.16.0rc1", "2.16.0", False),
        ("2.16.0rc1", "2.15", True),
        ("2.16.0", "2.16.0", True),
        ("0.4.30.dev20240101", "0.4.30", False),
        ("0.4.30.dev20240101", "0.4.29", True),
        ("2.17.0.dev20240501", "2.16.0", True),
        ("2.9.0", "2.16.0", False),  # numeric, not string, order
        ("0.10.2", "0.4.30", True),
    ],
)
def test_version_at_least_follows_pep440_order(version, minimum, expected):
    assert version_at_least(version, minimum) is expected


@pytest.mark.parametrize("bad", ["", "latest", "2.x", "not.a.version"])
def test_garbage_version_raises_value_error(bad):
    with pytest.raises(ValueError, match="not a valid version"):
        version_at_least(bad, "1.0")
    with pytest.raises(ValueError, match="minimum"):
        version_at_least("1.0", bad)


def test_non_string_version_raises_type_error():
    with pytest.raises(TypeError, match="version string"):
        version_at_least(2.16, "2.16")


def test_minimum_versions_cover_the_three_backends():
    assert set(MIN_VERSIONS) == {"tensorflow", "torch", "jax"}
    assert MIN_VERSIONS["tensorflow"] == "2.16.0"


def _fake_installed(monkeypatch, installed):
    def version(distribution):
        if distribution in installed:
            return installed[distribution]
        raise importlib.metadata.PackageNotFoundError(distribution)

    monkeypatch.setattr(versions.importlib.metadata, "version", version)


@pytest.mark.parametrize(
    "distribution", ["tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-nightly"]
)
def test_tensorflow_version_is_found_under_any_distribution_name(
    monkeypatch, distribution
):
    _fake_installed(monkeypatch, {distribution: "2.17.1"})
    assert get_backend_version("tf") == "2.17.1"
    assert versions.find_distribution("tensorflow") == (distribution, "2.17.1")


def test_version_of_a_missing_framework_is_none(monkeypatch):
    _fake_installed(monkeypatch, {})
    assert get_backend_version("jax") is None


def test_installed_versions_come_from_package_metadata():
    # torch and jax have a single distribution name; whatever is installed in
    # the test environment must be reported as its metadata says.
    for name in ("torch", "jax"):
        try:
            expected = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            expected = None
        assert get_backend_version(name) == expected


def test_install_requirement_pins_the_minimum(monkeypatch):
    _fake_installed(monkeypatch, {})
    assert versions.install_requirement("pytorch") == "torch>=2.1.0"
    assert versions.install_requirement("jax") == "jax>=0.4.30"
    monkeypatch.setattr(versions, "_is_linux_x86_64", lambda: True)
    assert versions.install_requirement("tf") == "tensorflow-cpu>=2.16.0"
    monkeypatch.setattr(versions, "_is_linux_x86_64", lambda: False)
    assert versions.install_requirement("tf") == "tensorflow>=2.16.0"


def test_install_requirement_upgrades_the_installed_distribution(monkeypatch):
    _fake_installed(monkeypatch, {"tensorflow-macos": "2.15.0"})
    assert versions.install_requirement("tensorflow") == "tensorflow-macos>=2.16.0"
