"""Wide torch networks at initialisation and in training, built from the activation registry.

The public functions of the submodules are importable from here, e.g.
``from ringing.simulate import NetworkConfig, measure_correlations, WalkConfig, walk``; each is
imported lazily on first use (``import ringing.simulate`` does not import torch).  Submodules:

* :mod:`~ringing.simulate.networks` -- LayerNorm / BatchNorm MLPs and ResNets (Anonymous,
  Gradient explosion eq 2.1, §3; Philipp & Carbonell, NLC App. C);
* :mod:`~ringing.simulate.measure` -- correlations, Jacobians, the empirical NLC;
* :mod:`~ringing.simulate.walks`, :mod:`~ringing.simulate.model_walks`,
  :mod:`~ringing.simulate.zoo` -- weight-space Fourier walks (Ali Mehmeti-Göpel, Hartmann &
  Wand, Ringing ReLUs eq 1, §4);
* :mod:`~ringing.simulate.training` -- spectral bias and the frequency principle (Rahaman et
  al., Spectral bias; Xu, Zhang & Xiao, F-Principle);
* :mod:`~ringing.simulate.data`, :mod:`~ringing.simulate.architectures`,
  :mod:`~ringing.simulate.protocol` -- data sets, sampled architectures and the training
  protocol of the NLC study.

See ``docs/quickstart.md`` for examples.
"""

from __future__ import annotations

from ringing.lazy import lazy_exports

#: public name -> the submodule that defines it
_EXPORTS: dict[str, str] = {
    # networks at initialisation
    "NetworkConfig": "networks", "Network": "networks",
    # measurements at initialisation
    "measure_correlations": "measure", "CorrelationResult": "measure",
    "layer_correlations": "measure", "rho_max": "measure", "measure_jacobian": "measure",
    "JacobianResult": "measure", "operator_norm": "measure", "gradient_norms": "measure",
    "empirical_nlc": "measure", "measure_nlc": "measure", "NLCNetwork": "measure",
    "NLCResult": "measure",
    # weight-space walks
    "WalkConfig": "walks", "WalkResult": "walks", "walk": "walks",
    "ModelWalkConfig": "model_walks", "ModelWalkResult": "model_walks",
    "walk_model": "model_walks", "ZooSpec": "zoo",
    # training
    "train_full_batch": "training", "spectral_bias": "training",
    "SpectralBiasResult": "training", "fprinciple": "training",
    "FPrincipleResult": "training",
    # data and the NLC study's architectures
    "Dataset": "data", "gaussian_data": "data", "correlated_pairs": "data",
    "load_dataset": "data", "waveform_noise": "data",
    "Architecture": "architectures", "sample_architecture": "architectures",
    "train_run": "protocol",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
