"""Compatibility shim: the old home of the LCR-BNN torch code (paper 002), split by issue 12 §3.

Nothing is defined here; every name is re-exported from its new module so that old imports and
the trainer-hook strings in configs and run records (``"analysis.nets.binary:lcr_loss_hook"``,
``"analysis.nets.binary:weight_std_monitor"``) keep working and keep their run hashes:

* sign functions and the binary convolution → :mod:`analysis.nets.sign`
  (``sign_ste``, ``sign_ede``, ``BinaryConv2d``, ``full_precision``);
* the binary networks → :mod:`analysis.nets.models` (``BinaryBasicBlock``, ``BinaryResNet``,
  ``binary_resnet20``, ``binary_resnet18``, registered in the model registry);
* the Retention Matrix on torch activations and the LCR loss → :mod:`analysis.nets.losses`
  (``activations_to_rows``, ``retention_matrix_torch``, ``m_matrix``, ``power_iteration_torch``,
  ``top_eigenvalue_official``, ``lcr_loss``, ``lcr_loss_direct``, ``LCRRegularizer``,
  ``lcr_gradient_scale``, ``lcr_loss_hook``);
* the LCR probes → :mod:`analysis.nets.lcr_probes` (``BlockRecorder``, ``count_layer_specs``,
  ``weight_std_monitor``, ``CORRUPTIONS``, ``corrupt_images``, ``corruption_accuracy``,
  ``batch_similarity``, ``block_similarity_stats``, ``conv_weight_stats``).

New code imports from those modules.
"""
from __future__ import annotations

from .lcr_probes import (CORRUPTIONS, BlockRecorder, batch_similarity, block_similarity_stats,  # noqa: F401
                         conv_weight_stats, corrupt_images, corruption_accuracy, count_layer_specs,
                         weight_std_monitor)
from .losses import (LCRRegularizer, _grouped_eigs, _sign_pairs, activations_to_rows, lcr_gradient_scale,  # noqa: F401
                     lcr_loss, lcr_loss_direct, lcr_loss_hook, m_matrix, power_iteration_torch,
                     retention_matrix_torch, top_eigenvalue_official)
from .models import BinaryBasicBlock, BinaryResNet, binary_resnet18, binary_resnet20  # noqa: F401
from .sign import BinaryConv2d, _sgn, full_precision, sign_ede, sign_ste  # noqa: F401

__all__ = [
    "sign_ste", "sign_ede", "BinaryConv2d", "BinaryBasicBlock", "BinaryResNet", "binary_resnet20",
    "binary_resnet18", "full_precision", "activations_to_rows", "retention_matrix_torch",
    "m_matrix", "power_iteration_torch", "top_eigenvalue_official", "BlockRecorder", "lcr_loss",
    "lcr_loss_direct", "LCRRegularizer", "lcr_gradient_scale", "count_layer_specs", "lcr_loss_hook",
    "weight_std_monitor", "CORRUPTIONS", "corrupt_images", "corruption_accuracy", "batch_similarity",
    "block_similarity_stats", "conv_weight_stats",
]
