#!/usr/bin/python3
"""End-to-end check of `maskrcnn convert --from/--to yolact` against dbolya/yolact itself (not part of the test suite).

    /usr/bin/python3 scripts/check_yolact_round_trip.py src/MaskRcnn.Cli/bin/Release/net10.0/maskrcnn YOLACT_DIR

YOLACT_DIR is a checkout of github.com/dbolya/yolact outside this repository, imported as in
make_yolact_names_fixture.py. Builds the reference's yolact_resnet50 and yolact_base models, writes their state
dicts with random values as safetensors (in a temporary folder), converts each to our names (scheme detected) and
back with the given maskrcnn executable, then checks that every value came back bit for bit and that the file loads
into the reference's Yolact() with its strict load_state_dict.
"""
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_torchvision_round_trip import load_safetensors  # noqa: E402
from make_yolact_names_fixture import import_reference  # noqa: E402
from pth_to_safetensors import save_safetensors  # noqa: E402


def main(argv):
    if len(argv) != 3:
        raise SystemExit(__doc__)
    exe, directory = argv[1], argv[2]
    yolact, set_cfg = import_reference(directory)
    torch.manual_seed(0)
    for config in ("yolact_resnet50_config", "yolact_base_config"):
        set_cfg(config)
        # Distinct random values everywhere, so that any mix-up of names shows.
        original = {name: torch.randn(t.shape) if t.is_floating_point() else t.clone()
                    for name, t in yolact.Yolact().state_dict().items()}
        with tempfile.TemporaryDirectory() as tmp:
            ref, ours, back = (os.path.join(tmp, n) for n in ("ref.safetensors", "ours.safetensors", "back.safetensors"))
            save_safetensors(ref, original, {"format": "pt"})
            for args in (["--input", ref, "--output", ours], ["--to", "yolact", "--input", ours, "--output", back]):
                subprocess.run([exe, "convert", *args], check=True, stdout=subprocess.DEVNULL)
            returned = load_safetensors(back)
        assert set(returned) == set(original), sorted(set(returned) ^ set(original))
        for name, t in original.items():
            if name.endswith("num_batches_tracked"):
                assert returned[name].dtype == torch.int64 and returned[name].item() == 0, name
            else:
                assert returned[name].dtype == t.dtype and torch.equal(returned[name], t), name
        print(f"{config}: {len(original)} tensors came back bit for bit; strict load:",
              yolact.Yolact().load_state_dict(returned, strict=True))


if __name__ == "__main__":
    main(sys.argv)
