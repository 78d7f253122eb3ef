"""crownjewel: keep AI model weights, training data and architecture from being stolen."""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
