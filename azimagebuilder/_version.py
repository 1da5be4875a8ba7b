"""The package version (read by setup.cfg)."""

#: The version of this package, as ``pip`` and ``azimagebuilder --version`` report it.
__version__ = "0.1.0"
