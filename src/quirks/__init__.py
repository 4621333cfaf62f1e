"""serverless-quirks: the sharp edges of AWS serverless backends, made safe by default.

Capabilities live in subpackages (``quirks.streams``, ``quirks.recovery``, ``quirks.fanout``,
``quirks.alerts``, ...). Every AWS client comes from :mod:`quirks.aws`.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
