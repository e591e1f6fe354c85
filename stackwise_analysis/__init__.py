"""Editorial analytics for the Stackwise article corpus: load, audit, report."""

from importlib.metadata import PackageNotFoundError, version

from .audits import Audit, audit
from .corpus import Corpus, load_corpus
from .styleguide import Styleguide, load_styleguide

try:
    __version__ = version("stackwise-analysis")
except PackageNotFoundError:  # a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["Audit", "Corpus", "Styleguide", "__version__", "audit", "load_corpus",
           "load_styleguide"]
