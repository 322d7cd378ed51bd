#!/usr/bin/python3
"""Imports pycocotools from a checkout built outside the repository (see make_cocoeval_fixtures.py for the build).

pycocotools.coco imports matplotlib at module level but uses it only to draw annotations (showAnns). When matplotlib
is not installed, empty stand-in modules are registered so the import succeeds; nothing the evaluation runs touches
them.
"""
import contextlib
import io
import os
import subprocess
import sys
import types


def _stub_matplotlib():
    try:
        import matplotlib  # noqa: F401
        return False
    except ImportError:
        pass
    names = ["matplotlib", "matplotlib.pyplot", "matplotlib.collections", "matplotlib.patches"]
    for name in names:
        sys.modules[name] = types.ModuleType(name)
    sys.modules["matplotlib.collections"].PatchCollection = None
    sys.modules["matplotlib.patches"].Polygon = None
    return True


def load(cocoapi=None):
    """(COCO, COCOeval, mask module, description dict). cocoapi: the PythonAPI folder, else PYTHONPATH decides."""
    if cocoapi:
        sys.path.insert(0, os.path.abspath(cocoapi))
    stubbed = _stub_matplotlib()
    from pycocotools import mask
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    import numpy

    folder = os.path.dirname(os.path.dirname(os.path.abspath(mask.__file__)))
    desc = {"path": folder, "numpy": numpy.__version__, "python": sys.version.split()[0], "matplotlibStub": stubbed}
    try:
        git = ["git", "-C", folder]
        desc["commit"] = subprocess.run(git + ["rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        diff = subprocess.run(git + ["diff", "--unified=0", "--", "."], capture_output=True, text=True, check=True).stdout
        desc["localChanges"] = [l for l in diff.splitlines() if l[:1] in "+-" and not l.startswith(("+++", "---"))]
    except (OSError, subprocess.CalledProcessError):
        pass
    return COCO, COCOeval, mask, desc


@contextlib.contextmanager
def quiet():
    """Swallows pycocotools' progress prints."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield
