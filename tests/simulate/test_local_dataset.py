"""The local MNIST/CIFAR10 loader (seed 004 App. D.2 processing) on small generated files."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from ringing.simulate.data import digits, load_local_dataset, process_images


def _idx_bytes(a: np.ndarray) -> bytes:
    head = b"\x00\x00\x08" + bytes([a.ndim]) + b"".join(struct.pack(">i", d) for d in a.shape)
    return head + a.astype(np.uint8).tobytes()


def test_mnist_idx_directory_gz(tmp_path) -> None:
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, size=(30, 28, 28))
    lab = rng.integers(0, 10, size=30)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(_idx_bytes(img)))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx_bytes(lab))
    ds = load_local_dataset(tmp_path, "mnist", dims=12, seed=3)
    assert ds.x.shape == (30, 12) and ds.name == "mnist"
    np.testing.assert_array_equal(ds.y, lab)
    assert abs(np.sqrt(np.mean(ds.x**2)) - 1) < 1e-12  # D.2 step 5: Q_{x,i} x(i) = 1
    np.testing.assert_allclose(ds.x.mean(0), 0, atol=1e-12)  # a projection keeps zero means
    # the same images as an .npz give the same numbers
    np.savez(tmp_path / "m.npz", x=img, y=lab)
    ds2 = load_local_dataset(tmp_path / "m.npz", "mnist", dims=12, seed=3)
    np.testing.assert_array_equal(ds.x, ds2.x)


def test_cifar_binary_batches_and_pca_dimension(tmp_path) -> None:
    rng = np.random.default_rng(1)
    # images living in a 5-dimensional subspace: 99 % of the variance needs at most 5 dims
    basis = rng.standard_normal((5, 3072))
    img = np.clip(128 + 20 * rng.standard_normal((40, 5)) @ basis, 0, 255).astype(np.uint8)
    lab = rng.integers(0, 10, size=40).astype(np.uint8)
    rec = np.concatenate([lab[:, None], img], axis=1)
    (tmp_path / "data_batch_1.bin").write_bytes(rec[:30].tobytes())
    (tmp_path / "test_batch.bin").write_bytes(rec[30:].tobytes())
    ds = load_local_dataset(tmp_path, "cifar10")
    assert ds.x.shape[0] == 40 and 1 <= ds.x.shape[1] <= 7
    np.testing.assert_array_equal(ds.y, lab)


def test_bad_inputs_are_one_line_errors(tmp_path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        load_local_dataset(tmp_path / "nope", "mnist")
    with pytest.raises(ValueError, match="unknown local data set"):
        load_local_dataset(tmp_path, "imagenet")
    np.savez(tmp_path / "bad.npz", x=np.zeros((4, 10)), y=np.zeros(4))
    with pytest.raises(ValueError, match="784 values"):
        load_local_dataset(tmp_path / "bad.npz", "mnist")
    with pytest.raises(ValueError, match="no MNIST IDX"):
        load_local_dataset(tmp_path, "mnist")


def test_digits_is_process_images_without_projection() -> None:
    from sklearn.datasets import load_digits

    raw = np.asarray(load_digits().data, dtype=float)
    x = (raw - raw.mean(1, keepdims=True)) / raw.std(1, keepdims=True)
    x = x - x.mean(0)
    x = x / np.sqrt(np.mean(x * x))
    np.testing.assert_array_equal(digits().x, x)
    np.testing.assert_array_equal(process_images(raw, project=False), x)
