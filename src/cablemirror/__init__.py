"""cablemirror: a self-hostable mirror of leaked and declassified record collections."""

__version__ = "0.1.0"
