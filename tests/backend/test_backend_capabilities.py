import pytest

from base_attentive import get_backend_capabilities
from base_attentive.backend import capabilities, detection


def test_capabilities_describe_a_supported_backend_without_importing_it():
    caps = get_backend_capabilities("pytorch", include_devices=False)
    assert caps["name"] == "torch"
    assert {
        "available",
        "version",
        "supported",
        "min_version",
        "reason",
        "training",
        "jit_compile",
        "data_parallel",
        "devices",
    } <= set(caps)
    assert caps["training"] is caps["supported"]
    assert caps["jit_compile"] is caps["supported"]
    assert caps["devices"] == []


@pytest.mark.parametrize(
    "name, expected",
    [
        ("jax", "keras.distribution.DataParallel"),
        ("tensorflow", "tf.distribute.MirroredStrategy"),
        ("torch", "torch.nn.parallel.DistributedDataParallel"),
    ],
)
def test_data_parallel_names_each_backends_engine(name, expected):
    caps = get_backend_capabilities(name, include_devices=False)
    assert caps["data_parallel"].startswith(expected)


def test_unsupported_backend_has_a_reason_and_no_training(monkeypatch):
    monkeypatch.setattr(
        capabilities,
        "detect_backend",
        lambda name: {
            "available": True,
            "version": "2.15.0",
            "supported": False,
            "min_version": "2.16.0",
            "distribution": "tensorflow",
            "reason": "version 2.15.0 is older than the minimum 2.16.0",
        },
    )
    caps = get_backend_capabilities("tensorflow")
    assert caps["training"] is False and caps["jit_compile"] is False
    assert "older than the minimum" in caps["reason"]
    assert caps["devices"] == []  # nothing imported for an unusable framework


def test_default_is_the_active_backend_with_its_devices(current_backend):
    caps = get_backend_capabilities()
    assert caps["name"] == current_backend
    assert caps["supported"]
    assert "CPU" in {device["type"] for device in caps["devices"]}
    assert caps["devices_error"] is None


def test_a_framework_that_fails_to_import_is_reported(monkeypatch):
    def broken(name):
        raise ImportError("libcudart.so.12: cannot open shared object file")

    monkeypatch.setattr(capabilities, "list_devices", broken)
    monkeypatch.setattr(
        capabilities,
        "detect_backend",
        lambda name: {**detection.detect_backend(name), "supported": True},
    )
    caps = get_backend_capabilities("jax")
    assert caps["devices"] == []
    assert caps["devices_error"] == (
        "ImportError: libcudart.so.12: cannot open shared object file"
    )


def test_bad_name_raises():
    with pytest.raises(ValueError, match="unknown backend"):
        get_backend_capabilities("tensorfloww")
