"""Editorial analytics for the Stackwise article corpus: load, audit, report."""

from importlib.metadata import PackageNotFoundError, version

from .corpus import Corpus, load_corpus
from .styleguide import Styleguide, load_styleguide

try:
    __version__ = version("stackwise-analysis")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["Corpus", "Styleguide", "__version__", "load_corpus", "load_styleguide"]
