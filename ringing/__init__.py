"""ringing: how an activation's nonlinearity shapes deep networks.

Layers (dependencies point one way): :mod:`ringing.activations` <- :mod:`ringing.theory`
<- :mod:`ringing.validate`, and :mod:`ringing.activations` <- :mod:`ringing.simulate` <-
:mod:`ringing.validate`.  Importing :mod:`ringing` or :mod:`ringing.theory` never imports
torch.
"""

from ringing.activations import Activation, get_activation, list_activations

__version__ = "0.3.0"

__all__ = ["Activation", "get_activation", "list_activations", "__version__"]
