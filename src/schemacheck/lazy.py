"""libcst, imported the first time one of its names is read.

Reporting a run from the cache parses nothing, yet importing libcst was half of schemacheck's
start-up (about 0.15 s of 0.3 s). Modules that a cached run imports bind this stand-in instead
of the real module; the first attribute read imports libcst and copies its names in, so later
reads cost what a plain module's do.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class _LazyModule(ModuleType):
    def __getattr__(self, name: str) -> Any:  # only called for names not yet copied in
        real = importlib.import_module(self.__name__)
        self.__dict__.update(real.__dict__)
        if name not in self.__dict__:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        return self.__dict__[name]


libcst: Any = _LazyModule("libcst")
