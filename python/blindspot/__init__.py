"""blindspot: read the HDF5 archives of blindspot runs from Python, and run experiments.

    import blindspot

    with blindspot.open("results/quickstart.h5") as archive:
        print(archive.name, archive.seed, list(archive.nodes))
        errors = archive["errors"].table()              # pandas DataFrame
        attack = archive["attack"].adversarial()        # dict of NumPy arrays
        weights = archive["fc10"].state_dict()          # OrderedDict of torch tensors
        net = archive["fc10"].model()                   # torch.nn.Sequential, weights loaded

    archive = blindspot.run("experiments/quickstart.yaml", out="/tmp/q.h5")

Modules: :mod:`.archive` (Archive, Node), :mod:`.products` (reading each product kind),
:mod:`.values` (attribute and parameter decoding), :mod:`.data` (re-reading a Dataset's
images), :mod:`.models` (PyTorch networks of the shipped model plugins), :mod:`.runner`
(the command line), :mod:`.errors` (exceptions).  Reads archive formats 1 and 2.
"""

from .archive import FORMAT_VERSION, Archive, Node, open  # noqa: F401  pylint: disable=W0622
from .errors import (ArchiveError, BadInput, Error, Interrupted, NewerFormat,  # noqa: F401
                     NoSuchNode, PortError, RunFailed)
from .products import Product  # noqa: F401
from .runner import find_executable, run  # noqa: F401

__version__ = "0.1.0"

__all__ = ["open", "run", "find_executable", "Archive", "Node", "Product", "FORMAT_VERSION",
           "Error", "ArchiveError", "NewerFormat", "NoSuchNode", "PortError", "BadInput",
           "RunFailed", "Interrupted", "__version__"]
