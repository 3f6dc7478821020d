import pytest

from base_attentive.backend.devices import list_devices


def test_current_backend_sees_at_least_one_cpu(current_backend):
    # Only the backend this suite runs is imported in-process.
    devices = list_devices(current_backend)
    assert devices, "a framework always sees at least one device"
    assert all(set(device) == {"type", "name"} for device in devices)
    assert "CPU" in {device["type"] for device in devices}


def test_list_devices_rejects_bad_names():
    with pytest.raises(ValueError, match="Keras 2 backend"):
        list_devices("theano")
