#!/usr/bin/python3
"""Fixtures for reading PyTorch and pickled-numpy weight files without Python (tests/MaskRcnn.Tests/WeightFiles/).

    /usr/bin/python3 scripts/make_weight_file_fixtures.py      # Debian's python3-torch / python3-numpy

Every value is rule-generated: base(n)[i] = ((7 i) mod 251) / 256 - 1/2 (exact in float16 and bfloat16 too).
Writes under tests/MaskRcnn.Tests/Fixtures/weight_files/:
  formats.safetensors          the expected tensors (contiguous), written by pth_to_safetensors.py's writer
  formats_zip.pth              torch.save of an OrderedDict (zip format): views with offsets, transposed, as_strided,
                               expanded (stride 0), a Parameter, float16/bfloat16/float64, int64/int8/uint8/bool,
                               a 0-d and an empty tensor
  formats_legacy.pth           the same, _use_new_zipfile_serialization=False (PyTorch < 1.6's format)
  formats_checkpoint.pth       {"model": ..., "optimizer": ..., "scheduler": ..., "iteration": 7} (maskrcnn-benchmark's layout)
  formats_p2.pkl / _p4 / _p5   {"model": numpy arrays, "__author__": ...} pickled with protocols 2, 4, 5 (detectron2's layout)
  formats_py2.pkl              {"blobs": ..., "cfg": ...} as Python 2's cPickle writes it (str as BINSTRING; Detectron's layout),
                               with a Fortran-order array
  resnet50_imagenet.pth        torchvision resnet50's state dict names and shapes (fc included), every tensor a strided
                               window on one shared storage (so the file is small); running_var positive
  resnet18_imagenet.pth        the same for resnet18
  tiny_r50_torchvision.pth     a narrow ResNet-50 body (STEM_OUT_CHANNELS 8, RES2_OUT_CHANNELS 16, WIDTH_PER_GROUP 2)
                               under torchvision's ImageNet names, batch norms with mean 0 and variance 1
  tiny_r50_torchvision_legacy.pth, tiny_r50_torchvision.pkl (numpy, {"model": ...}): the same tensors
  tiny_R-50.pkl                the same weights under Detectron's Caffe2 blob names ({"blobs": ...}, Python 2 style),
                               batch norms folded to scale (_bn_s) and bias (_bn_b) as Detectron's ImageNet files are
  evil_os_system.pkl           a pickle whose only global is os.system (hand-assembled)
  evil_posix_system.pkl        pickle.dumps of an object whose __reduce__ is os.system (Linux names it posix.system)
  evil_zip.pth                 torch.save of that object (zip format)
  whole_module.pth             torch.save(nn.Linear(2, 2)): a model pickled whole, not a state dict
"""
import collections
import io
import os
import pickle
import struct
import sys

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.dirname(__file__))
import pth_to_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "MaskRcnn.Tests", "Fixtures", "weight_files")


def base(n):
    i = torch.arange(n, dtype=torch.float64)
    return (((i * 7) % 251) / 256.0 - 0.5).float()


def format_tensors():
    shared = base(4099)
    sd = collections.OrderedDict()
    sd["a.weight"] = base(48).reshape(3, 4, 2, 2).clone()
    sd["a.bias"] = torch.nn.Parameter(base(3) + 0.25, requires_grad=False)
    sd["b.view"] = shared[10:34].view(4, 6)
    sd["b.transposed"] = shared[100:124].view(6, 4).t()
    sd["b.strided"] = torch.as_strided(shared, (5, 7, 3), (13, 3, 1), 200)
    sd["c.expanded"] = shared[5:6].expand(3, 4)
    sd["d.half"] = base(5).half()
    sd["d.bf16"] = (base(5) + 1).bfloat16()
    sd["d.double"] = base(6).double().reshape(2, 3)
    sd["e.long"] = torch.tensor([-3, 0, 2 ** 40, 7])
    sd["e.scalar"] = torch.tensor(42)
    sd["e.bool"] = torch.tensor([True, False, True])
    sd["e.int8"] = torch.tensor([-128, 5], dtype=torch.int8)
    sd["e.uint8"] = torch.tensor([0, 255], dtype=torch.uint8)
    sd["f.empty"] = torch.zeros(0, 3)
    return sd


def numpy_arrays(sd):
    # numpy has no bfloat16: that tensor stays out of the .pkl files
    return {k: v.detach().numpy() for k, v in sd.items() if v.dtype != torch.bfloat16}


def fortran_array():
    return np.asfortranarray(base(24).numpy().reshape(2, 3, 4))


class Py2Pickler(pickle._Pickler):
    """Writes str and bytes as Python 2's str (SHORT_BINSTRING / BINSTRING), as Detectron's cPickle files hold them."""
    dispatch = pickle._Pickler.dispatch.copy()

    def save_py2_str(self, data):
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)


    def save_bytes(self, obj):
        self.save_py2_str(obj)

    def save_str(self, obj):
        if obj.isascii():
            self.save_py2_str(obj.encode("ascii"))
        else:
            pickle._Pickler.save_str(self, obj)

    dispatch[bytes] = save_bytes
    dispatch[str] = save_str


def py2_pickle(obj, path):
    buffer = io.BytesIO()
    Py2Pickler(buffer, protocol=2).dump(obj)
    with open(path, "wb") as f:
        f.write(buffer.getvalue())


def write_formats():
    sd = format_tensors()
    expected = collections.OrderedDict((k, v.detach().contiguous().clone()) for k, v in sd.items())
    expected["g.fortran"] = torch.from_numpy(np.ascontiguousarray(fortran_array()))
    pth_to_safetensors.save_safetensors(os.path.join(OUT, "formats.safetensors"), expected)
    torch.save(sd, os.path.join(OUT, "formats_zip.pth"))
    torch.save(sd, os.path.join(OUT, "formats_legacy.pth"), _use_new_zipfile_serialization=False)
    momentum = {"momentum_buffer": base(3)}
    torch.save({"model": sd, "optimizer": {"state": {0: momentum}, "param_groups": [{"lr": 0.01, "params": [0]}]},
                "scheduler": {"milestones": [10, 20], "gamma": 0.1}, "iteration": 7},
               os.path.join(OUT, "formats_checkpoint.pth"))
    arrays = numpy_arrays(sd)
    for protocol in (2, 4, 5):
        with open(os.path.join(OUT, f"formats_p{protocol}.pkl"), "wb") as f:
            pickle.dump({"model": arrays, "__author__": "weight file fixtures"}, f, protocol=protocol)
    py2 = dict(arrays)
    py2["g.fortran"] = fortran_array()
    py2_pickle({"blobs": py2, "cfg": "MODEL:\n  TYPE: generalized_rcnn\n"}, os.path.join(OUT, "formats_py2.pkl"))


def strided_state_dict(model):
    """The model's state-dict names and shapes, each tensor a distinct strided window on one shared storage."""
    shared = base(24593)
    positive = shared + 1.0
    result = collections.OrderedDict()
    for k, (name, t) in enumerate(model.state_dict().items()):
        if name.endswith("num_batches_tracked"):
            result[name] = torch.tensor(k, dtype=torch.int64)
            continue
        source = positive if name.endswith("running_var") else shared
        stride = [1, 2, 3, 5][:t.dim()][::-1]
        offset = (k * 31) % 8000
        result[name] = torch.as_strided(source, t.shape, stride, offset)
    return result


def tiny_resnet50():
    """(torchvision names → tensor, Caffe2 blob names → array) for a narrow ResNet-50 body; same values in both."""
    torchvision_names, caffe2 = collections.OrderedDict(), collections.OrderedDict()
    counter = [0]

    def values(shape):
        n = int(np.prod(shape))
        counter[0] += 1
        return torch.roll(base(n + 17), counter[0] * 5)[:n].reshape(shape).clone()

    def conv(tv, c2, shape):
        w = values(shape)
        torchvision_names[tv + ".weight"] = w
        caffe2[c2 + "_w"] = w.numpy()

    def bn(tv, c2, channels):
        scale, bias = values((channels,)) + 1.0, values((channels,))
        torchvision_names[tv + ".weight"], torchvision_names[tv + ".bias"] = scale, bias
        torchvision_names[tv + ".running_mean"] = torch.zeros(channels)
        torchvision_names[tv + ".running_var"] = torch.ones(channels)
        torchvision_names[tv + ".num_batches_tracked"] = torch.tensor(0)
        caffe2[c2 + "_s"], caffe2[c2 + "_b"] = scale.numpy(), bias.numpy()

    stem, res2, width = 8, 16, 2
    conv("conv1", "conv1", (stem, 3, 7, 7))
    bn("bn1", "res_conv1_bn", stem)
    channels = stem
    for stage, blocks in enumerate((3, 4, 6, 3), start=1):
        out, mid = res2 << (stage - 1), width << (stage - 1)
        for b in range(blocks):
            tv, c2 = f"layer{stage}.{b}", f"res{stage + 1}_{b}"
            conv(tv + ".conv1", c2 + "_branch2a", (mid, channels, 1, 1))
            bn(tv + ".bn1", c2 + "_branch2a_bn", mid)
            conv(tv + ".conv2", c2 + "_branch2b", (mid, mid, 3, 3))
            bn(tv + ".bn2", c2 + "_branch2b_bn", mid)
            conv(tv + ".conv3", c2 + "_branch2c", (out, mid, 1, 1))
            bn(tv + ".bn3", c2 + "_branch2c_bn", out)
            if b == 0:
                conv(tv + ".downsample.0", c2 + "_branch1", (out, channels, 1, 1))
                bn(tv + ".downsample.1", c2 + "_branch1_bn", out)
            channels = out
    fc_w, fc_b = values((10, channels)), values((10,))
    torchvision_names["fc.weight"], torchvision_names["fc.bias"] = fc_w, fc_b
    caffe2["pred_w"], caffe2["pred_b"] = fc_w.numpy(), fc_b.numpy()
    return torchvision_names, caffe2


def write_backbones():
    torch.save(strided_state_dict(torchvision.models.resnet50()), os.path.join(OUT, "resnet50_imagenet.pth"))
    torch.save(strided_state_dict(torchvision.models.resnet18()), os.path.join(OUT, "resnet18_imagenet.pth"))
    tv, c2 = tiny_resnet50()
    torch.save(tv, os.path.join(OUT, "tiny_r50_torchvision.pth"))
    torch.save(tv, os.path.join(OUT, "tiny_r50_torchvision_legacy.pth"), _use_new_zipfile_serialization=False)
    with open(os.path.join(OUT, "tiny_r50_torchvision.pkl"), "wb") as f:
        pickle.dump({"model": {k: v.numpy() for k, v in tv.items()}, "__author__": "torchvision"}, f, protocol=4)
    py2_pickle({"blobs": c2}, os.path.join(OUT, "tiny_R-50.pkl"))


class Evil:
    def __reduce__(self):
        return os.system, ("touch /tmp/maskrcnn-pickle-ran",)


def write_hostile():
    # GLOBAL 'os system', the argument tuple, REDUCE: what a crafted .pkl would hold
    with open(os.path.join(OUT, "evil_os_system.pkl"), "wb") as f:
        f.write(b"\x80\x02}q\x00X\x05\x00\x00\x00blobsq\x01cos\nsystem\nq\x02X\x1e\x00\x00\x00touch /tmp/maskrcnn-pickle-ranq\x03\x85q\x04Rq\x05s.")
    with open(os.path.join(OUT, "evil_posix_system.pkl"), "wb") as f:
        pickle.dump({"blobs": {"x": Evil()}}, f, protocol=2)
    torch.save({"x": Evil()}, os.path.join(OUT, "evil_zip.pth"))
    torch.save(torch.nn.Linear(2, 2), os.path.join(OUT, "whole_module.pth"))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    write_formats()
    write_backbones()
    write_hostile()
    for name in sorted(os.listdir(OUT)):
        print(f"{os.path.getsize(os.path.join(OUT, name)):>9}  {name}")


if __name__ == "__main__":
    main()
