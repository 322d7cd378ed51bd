#!/usr/bin/python3
"""Writes every key of maskrcnn-benchmark's config defaults, with its value and Python type, to a JSON
fixture that tests/MaskRcnn.Tests compares our typed defaults against.

Usage: /usr/bin/python3 scripts/make_config_defaults_fixture.py PATH/TO/maskrcnn-benchmark \
           tests/MaskRcnn.Tests/Fixtures/maskrcnn_benchmark_defaults.json

It executes maskrcnn_benchmark/config/defaults.py with a minimal stand-in for yacs' CfgNode (an
attribute dict), so neither yacs nor torch is needed.
"""
import json
import sys
import types


class CfgNode(dict):
    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as e:
            raise AttributeError(name) from e

    def __setattr__(self, name, value):
        self[name] = value


def flatten(node, prefix=""):
    for key, value in node.items():
        full = prefix + key
        if isinstance(value, CfgNode):
            yield from flatten(value, full + ".")
        else:
            yield full, value


def main(repo, out):
    yacs = types.ModuleType("yacs")
    yacs_config = types.ModuleType("yacs.config")
    yacs_config.CfgNode = CfgNode
    sys.modules["yacs"], sys.modules["yacs.config"] = yacs, yacs_config
    path = f"{repo}/maskrcnn_benchmark/config/defaults.py"
    # A relative __file__ keeps the machine-specific checkout path out of PATHS_CATALOG.
    scope = {"__file__": "maskrcnn_benchmark/config/defaults.py", "__name__": "defaults"}
    exec(compile(open(path).read(), path, "exec"), scope)
    entries = [
        {"key": key, "type": type(value).__name__, "value": list(value) if isinstance(value, tuple) else value}
        for key, value in flatten(scope["_C"])
    ]
    with open(out, "w") as f:
        json.dump(entries, f, indent=1)
        f.write("\n")
    print(f"{len(entries)} keys -> {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
