"""Channel correlation statistics (cdg paper Fig. 1, 11, 13, 14): twins, invariances, exact cases."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from analysis.correlation import (
    channel_correlation_matrix, channel_correlation_matrix_loop, channel_mean_std, channel_rows,
    correlation_histogram, correlation_vs_distance, in_out_correlation_table,
    mean_offdiagonal_correlation, mean_std_scatter, offdiagonal, rescale_channels,
    layers_correlation_vs_distance,
)


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 3, 3), (6, 2, 1, 5)])
@pytest.mark.parametrize("axis", ["output", "input"])
def test_matrix_matches_corrcoef_twin(shape, axis):
    w = np.random.default_rng(0).normal(size=shape)
    np.testing.assert_allclose(channel_correlation_matrix(w, axis),
                               channel_correlation_matrix_loop(w, axis), atol=1e-13)


def test_rows_layout():
    w = np.arange(2 * 3 * 2 * 2, dtype=float).reshape(2, 3, 2, 2)
    np.testing.assert_array_equal(channel_rows(w, "output")[1], w[1].ravel())
    np.testing.assert_array_equal(channel_rows(w, "input")[2], w[:, 2].ravel())


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), axis=st.sampled_from(["output", "input"]))
def test_invariant_to_positive_channel_rescaling_and_shift(seed, axis):
    """Fig. 1: the statistic is 'invariant to re-scaling' of a channel (Pearson is)."""
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(5, 4, 3, 3))
    scale = rng.uniform(0.1, 10.0, size=5 if axis == "output" else 4)
    shift = rng.normal(size=scale.shape)
    if axis == "output":
        w2 = w * scale[:, None, None, None] + shift[:, None, None, None]
    else:
        w2 = w * scale[None, :, None, None] + shift[None, :, None, None]
    np.testing.assert_allclose(channel_correlation_matrix(w2, axis),
                               channel_correlation_matrix(w, axis), atol=1e-12)


def test_exact_cases():
    base = np.random.default_rng(1).normal(size=(3, 3))
    w = np.stack([base, 2 * base + 1, -base])          # (3 output channels, 3, 3)
    c = channel_correlation_matrix(w, "output")
    np.testing.assert_allclose(c, [[1, 1, -1], [1, 1, -1], [-1, -1, 1]], atol=1e-14)
    np.testing.assert_allclose(offdiagonal(c), [1, -1, -1], atol=1e-14)
    assert np.isclose(mean_offdiagonal_correlation(w, "output"), -1 / 3)
    assert np.isclose(mean_offdiagonal_correlation(w, "output", "abs"), 1.0)
    np.testing.assert_allclose(correlation_vs_distance(w, "output"), [1.0, 1.0])
    np.testing.assert_allclose(correlation_vs_distance(w, "output", absolute=False), [0.0, -1.0],
                               atol=1e-14)


def test_constant_channel_gives_nan_and_is_skipped():
    w = np.random.default_rng(2).normal(size=(4, 2, 3))
    w[1] = 0.5
    c = channel_correlation_matrix(w, "output")
    assert np.all(np.isnan(c[1])) and np.all(np.isnan(c[:, 1]))
    assert np.isfinite(mean_offdiagonal_correlation(w, "output"))
    counts, edges = correlation_histogram(w, "output", bins=10)
    assert counts.sum() == 3 and edges.shape == (11,)


def test_iid_weights_have_near_zero_mean_correlation():
    """Fig. 13: for i.i.d. noise the off-diagonal correlations have mean 0 and sd ≈ 1/√(n−1)
    (n numbers per channel slice); 5-sigma bound on the mean of the 1225 (pairwise
    uncorrelated) pair correlations, whose se is (1/√(n−1))/√1225."""
    w = np.random.default_rng(3).normal(size=(50, 30, 3, 3))
    vals = offdiagonal(channel_correlation_matrix(w, "output"))
    n = 30 * 9
    assert abs(vals.std() * np.sqrt(n - 1) - 1) < 0.1
    assert abs(vals.mean()) < 5 / np.sqrt(n - 1) / np.sqrt(vals.size)


def test_mean_std_and_table():
    rng = np.random.default_rng(4)
    w = rng.normal(size=(6, 3, 3, 3))
    m, s = channel_mean_std(w)
    np.testing.assert_allclose(m, w.reshape(6, -1).mean(1))
    np.testing.assert_allclose(s, w.reshape(6, -1).std(1))
    # scaling a channel with nonzero mean scales |mean| and std together → positive correlation
    w2 = rng.normal(loc=1.0, size=(40, 3, 3, 3)) * rng.uniform(0.1, 5, size=(40, 1, 1, 1))
    assert mean_std_scatter([w2])["corr_absmean_std"] > 0.8
    sc = mean_std_scatter([w2, w])
    assert sc["layer"].shape == (46,)
    tab = in_out_correlation_table([w, w2])
    assert np.isclose(tab["output"], np.mean([mean_offdiagonal_correlation(x, "output") for x in (w, w2)]))
    assert np.isclose(tab["input"], np.mean([mean_offdiagonal_correlation(x, "input") for x in (w, w2)]))
    assert len(tab["per_layer"]) == 2


@pytest.mark.parametrize("call", [
    lambda: channel_correlation_matrix(np.ones(4)),
    lambda: channel_correlation_matrix(np.ones((3, 3)), axis="spatial"),
    lambda: channel_correlation_matrix(np.array([[1.0, np.inf], [0, 1]])),
    lambda: correlation_vs_distance(np.ones((1, 3))),
    lambda: correlation_vs_distance(np.random.default_rng(0).normal(size=(4, 3)), max_distance=4),
    lambda: mean_offdiagonal_correlation(np.ones((3, 3)), statistic="median"),
    lambda: in_out_correlation_table([]),
    lambda: offdiagonal(np.ones((2, 3))),
    lambda: rescale_channels(np.ones((3, 2)), [1.0, 2.0], "output"),
    lambda: rescale_channels(np.ones((3, 2)), [1.0, -2.0], "input"),
    lambda: rescale_channels(np.ones((3, 2)), [1.0, 2.0], "spatial"),
])
def test_bad_inputs(call):
    with pytest.raises(ValueError):
        call()


def test_rescale_channels_output_invariant_input_not():
    """Appendix F: Pearson between output filters ignores output-channel scalings but not the
    BatchNorm-style scaling of the next conv's input channels."""
    r = np.random.default_rng(5)
    w = 0.5 * r.normal(size=(1, 6, 3, 3)) + r.normal(size=(10, 6, 3, 3))
    out = rescale_channels(w, r.uniform(0.2, 5, 10), "output")
    np.testing.assert_allclose(channel_correlation_matrix(out), channel_correlation_matrix(w), atol=1e-13)
    s = r.uniform(0.2, 5, 6)
    inp = rescale_channels(w, s, "input")
    np.testing.assert_allclose(inp[:, 2], w[:, 2] * s[2])
    assert abs(mean_offdiagonal_correlation(inp) - mean_offdiagonal_correlation(w)) > 1e-3


def test_layers_profile_is_mean_of_layer_curves_and_signed_noise_is_centred():
    r = np.random.default_rng(6)
    ws = [r.normal(size=(12, 3, 3, 3)), r.normal(size=(20, 12, 3, 3)), r.normal(size=(2, 20, 1, 1))]
    got = layers_correlation_vs_distance(ws, "output", 4)
    ref = np.mean([correlation_vs_distance(w, "output", 4, absolute=False) for w in ws[:2]], axis=0)
    np.testing.assert_allclose(got, ref, atol=1e-15)
    big = [r.normal(size=(64, 32, 3, 3)) for _ in range(3)]
    for axis in ("output", "input"):
        assert np.all(np.abs(layers_correlation_vs_distance(big, axis, 8)) < 0.02)
    # |corr| of noise depends on the slice length (output slices 32·9, input slices 64·9 long)
    a_out = layers_correlation_vs_distance(big, "output", 8, absolute=True).mean()
    a_in = layers_correlation_vs_distance(big, "input", 8, absolute=True).mean()
    assert a_out / a_in == pytest.approx(np.sqrt(2), rel=0.1)
    with pytest.raises(ValueError):
        layers_correlation_vs_distance(ws, "input", 30)
