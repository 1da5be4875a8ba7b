"""Test helpers for projects that use azimagebuilder: pytest fixtures and cassette scrubbing.

Each module here is imported on demand (``azimagebuilder.testing.emulator`` for the local emulator
fixtures), so importing this package costs nothing.

Example:
    >>> import azimagebuilder.testing
"""
