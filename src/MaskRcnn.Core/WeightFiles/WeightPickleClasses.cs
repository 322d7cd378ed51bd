using System.Numerics;
using System.Text;
using MaskRcnn.Pickle;
using static TorchSharp.torch;

namespace MaskRcnn.WeightFiles;

/// <summary>
/// The globals a weight file's pickle may name, and what they make: torch.save's tensor rebuilders and typed storages,
/// numpy's array/dtype/scalar constructors (Detectron's and detectron2's .pkl files), OrderedDict, sets, and
/// <c>_codecs.encode</c> and <c>bytes</c> (Python 3 writes bytes that way in protocol 2). Anything else — <c>os.system</c>, a model
/// class pickled whole — is refused by the reader with one line naming it.
/// </summary>
sealed class WeightPickleClasses(string path) : IPickleClasses
{
    static readonly string[] NumpyCore = ["numpy.core.multiarray", "numpy._core.multiarray"];
    static readonly string[] NumpyNumeric = ["numpy.core.numeric", "numpy._core.numeric"];

    /// <summary>torch's typed storage classes → element type and size.</summary>
    static readonly Dictionary<string, (ScalarType Type, int Size)> Storages = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = (ScalarType.Float32, 4),
        ["DoubleStorage"] = (ScalarType.Float64, 8),
        ["HalfStorage"] = (ScalarType.Float16, 2),
        ["BFloat16Storage"] = (ScalarType.BFloat16, 2),
        ["LongStorage"] = (ScalarType.Int64, 8),
        ["IntStorage"] = (ScalarType.Int32, 4),
        ["ShortStorage"] = (ScalarType.Int16, 2),
        ["CharStorage"] = (ScalarType.Int8, 1),
        ["ByteStorage"] = (ScalarType.Byte, 1),
        ["BoolStorage"] = (ScalarType.Bool, 1),
    };

    public bool Allows(PyGlobal g) => g switch
    {
        ("collections", "OrderedDict") => true,
        ("builtins" or "__builtin__", "set" or "frozenset" or "bytes") => true,
        ("_codecs", "encode") => true,
        ("torch._utils", "_rebuild_tensor" or "_rebuild_tensor_v2" or "_rebuild_parameter" or "_rebuild_parameter_with_state") => true,
        ("torch._tensor", "_rebuild_from_type_v2") => true,
        ("torch", "Tensor") or ("torch.nn.parameter", "Parameter") => true,
        ("torch", var name) => Storages.ContainsKey(name),
        ("numpy", "ndarray" or "dtype") => true,
        (var module, "_reconstruct" or "scalar") when NumpyCore.Contains(module) => true,
        (var module, "_frombuffer") when NumpyNumeric.Contains(module) => true,
        _ => false,
    };

    /// <summary>The element type of a storage class named in a persistent id; null when it is not one.</summary>
    public static (ScalarType Type, int Size)? StorageType(object? global) =>
        global is PyGlobal { Module: "torch" } g && Storages.TryGetValue(g.Name, out var t) ? t : null;

    public object? Call(PyGlobal callable, PyTuple args)
    {
        switch (callable.Module, callable.Name)
        {
            case ("collections", "OrderedDict"):
                return args.Count == 0 ? new PyDict() : DictFromPairs(args[0]);
            case (_, "bytes"): // Python 3's protocol 2 writes b'' as bytes()
                return args.Count == 0 ? Array.Empty<byte>() : throw Fail("bytes() with arguments; refused");
            case (_, "set" or "frozenset"):
                return args.Count == 0 ? new List<object?>() : args[0] as List<object?> ?? throw Fail($"{callable} of a {Describe(args[0])}");
            case ("_codecs", "encode"):
                if (args.Count >= 1 && args[0] is string text && (args.Count == 1 || args[1] is "latin1" or "latin-1"))
                    return Encoding.Latin1.GetBytes(text);
                throw Fail("_codecs.encode is used for something other than Latin-1 bytes; refused");
            case ("torch._utils", "_rebuild_tensor" or "_rebuild_tensor_v2"):
                return RebuildTensor(args);
            case ("torch._utils", "_rebuild_parameter" or "_rebuild_parameter_with_state"):
                return args.Count >= 1 && args[0] is TorchTensorRef data ? data : throw Fail($"{callable} without a tensor");
            case ("torch._tensor", "_rebuild_from_type_v2"):
                if (args.Count >= 3 && args[0] is PyGlobal func && args[1] is PyGlobal type && args[2] is PyTuple inner
                    && type is ("torch", "Tensor") or ("torch.nn.parameter", "Parameter"))
                    return Call(func, inner);
                throw Fail($"{callable} rebuilds a tensor subclass ({Describe(args.Count > 1 ? args[1] : null)}); only plain tensors and parameters are read");
            case (_, "_reconstruct"):
                return PendingNumpy(args);
            case ("numpy", "dtype"):
                return args.Count >= 1 && args[0] is string code ? new NumpyDtype(code) : throw Fail("numpy.dtype without a type code");
            case (_, "scalar"):
                return Scalar(args);
            case (_, "_frombuffer"):
                return FromBuffer(args);
            default:
                throw Fail($"the pickle calls {callable}, which a weight file does not need; refused");
        }
    }

    public object? Build(object? target, object? state)
    {
        switch (target)
        {
            case PyDict dict: // OrderedDict's instance attributes (a state dict's _metadata): not weights
                return dict;
            case NumpyDtype dtype when state is PyTuple { Count: >= 2 } t && t[1] is string order && order.Length == 1:
                dtype.ByteOrder = order[0];
                return dtype;
            case PendingNumpyArray when state is PyTuple t:
                return BuildArray(t);
            default:
                throw Fail($"the pickle sets state on a {Describe(target)}, which a weight file does not need; refused");
        }
    }

    static PyDict DictFromPairs(object? pairs)
    {
        var dict = new PyDict();
        if (pairs is List<object?> list)
            foreach (var item in list)
                if (item is PyTuple { Count: 2 } pair && pair[0] is { } key) dict.Set(key, pair[1]);
        return dict;
    }

    object RebuildTensor(PyTuple args)
    {
        if (args.Count < 4 || args[0] is not TorchStorage storage || args[1] is not long offset || args[2] is not PyTuple size || args[3] is not PyTuple stride
            || size.Count != stride.Count)
            throw Fail("torch._utils._rebuild_tensor_v2 with arguments other than (storage, offset, size, stride, ...)");
        return new TorchTensorRef(storage, offset, Longs(size, "size"), Longs(stride, "stride"));
    }

    long[] Longs(PyTuple tuple, string what) =>
        tuple.Items.Select(i => i is long v && v >= 0 ? v : throw Fail($"a tensor {what} holds {Describe(i)}, not a non-negative integer")).ToArray();

    object PendingNumpy(PyTuple args) =>
        args.Count >= 1 && args[0] is PyGlobal ("numpy", "ndarray") ? new PendingNumpyArray()
            : throw Fail($"numpy _reconstruct of {Describe(args.Count > 0 ? args[0] : null)}; only numpy.ndarray is read");

    // ndarray.__setstate__: ([version,] shape, dtype, is_fortran, data)
    NumpyArray BuildArray(PyTuple state)
    {
        var items = state.Count == 5 ? state.Items.Skip(1).ToList() : state.Items.ToList();
        if (items.Count != 4 || items[0] is not PyTuple shape || items[1] is not NumpyDtype dtype)
            throw Fail("a numpy array's state is not (shape, dtype, is_fortran, data)");
        var fortran = items[2] is true or 1L;
        var data = items[3] switch
        {
            byte[] or PickleByteRange => items[3]!,
            string latin1 => Encoding.Latin1.GetBytes(latin1),
            _ => throw Fail($"a numpy array of dtype '{dtype.Code}' holds Python objects, not numbers; refused"),
        };
        return MakeArray(dtype, Longs(shape, "shape"), data, fortran);
    }

    // numpy.core.numeric._frombuffer(buffer, dtype, shape, order): protocol 5's in-band arrays.
    NumpyArray FromBuffer(PyTuple args)
    {
        if (args.Count < 4 || args[0] is not (byte[] or PickleByteRange) || args[1] is not NumpyDtype dtype || args[2] is not PyTuple shape
            || args[3] is not string order)
            throw Fail("numpy _frombuffer with arguments other than (buffer, dtype, shape, order)");
        return MakeArray(dtype, Longs(shape, "shape"), args[0]!, order == "F");
    }

    // data: byte[] in memory, or a PickleByteRange of the file.
    NumpyArray MakeArray(NumpyDtype dtype, long[] shape, object data, bool fortran)
    {
        var length = data is byte[] b ? b.LongLength : ((PickleByteRange)data).Length;
        var (type, size) = NumpyType(dtype);
        long bytes;
        try { bytes = checked(shape.Aggregate(1L, (a, b) => checked(a * b)) * size); }
        catch (OverflowException) { throw Fail($"a numpy array's shape [{string.Join(", ", shape)}] is too large to address"); }
        if (bytes != length)
            throw Fail($"a numpy array of shape [{string.Join(", ", shape)}] and dtype '{dtype.Code}' holds {length} bytes, not {bytes}");
        return new NumpyArray(type, size, shape, data as byte[], data as PickleByteRange, fortran);
    }

    object Scalar(PyTuple args)
    {
        if (args.Count < 2 || args[0] is not NumpyDtype dtype || args[1] is not (byte[] or string))
            throw Fail("numpy scalar with arguments other than (dtype, data)");
        var data = args[1] as byte[] ?? Encoding.Latin1.GetBytes((string)args[1]!);
        var (type, size) = NumpyType(dtype);
        if (data.Length != size) throw Fail($"a numpy scalar of dtype '{dtype.Code}' holds {data.Length} bytes");
        return type switch
        {
            ScalarType.Float64 => BitConverter.ToDouble(data),
            ScalarType.Float32 => (double)BitConverter.ToSingle(data),
            ScalarType.Float16 => (double)BitConverter.ToHalf(data),
            ScalarType.Int64 => BitConverter.ToInt64(data),
            ScalarType.Int32 => (long)BitConverter.ToInt32(data),
            ScalarType.Int16 => (long)BitConverter.ToInt16(data),
            ScalarType.Int8 => (long)(sbyte)data[0],
            ScalarType.Byte => (long)data[0],
            ScalarType.Bool => data[0] != 0,
            _ => throw Fail($"numpy scalar of dtype '{dtype.Code}'"),
        };
    }

    (ScalarType Type, int Size) NumpyType(NumpyDtype dtype)
    {
        var code = dtype.Code.TrimStart('<', '>', '=', '|');
        if (dtype.ByteOrder == '>' || dtype.Code.StartsWith('>'))
            throw Fail($"a numpy array is big-endian ('{dtype.Code}'); save it little-endian");
        return code switch
        {
            "f2" => (ScalarType.Float16, 2),
            "f4" => (ScalarType.Float32, 4),
            "f8" => (ScalarType.Float64, 8),
            "i1" => (ScalarType.Int8, 1),
            "i2" => (ScalarType.Int16, 2),
            "i4" => (ScalarType.Int32, 4),
            "i8" => (ScalarType.Int64, 8),
            "u1" => (ScalarType.Byte, 1),
            "b1" => (ScalarType.Bool, 1),
            _ => throw Fail($"numpy dtype '{dtype.Code}' has no tensor counterpart here (float16/32/64, int8/16/32/64, uint8, bool are read)"),
        };
    }

    static string Describe(object? value) => value switch
    {
        null => "None",
        PyGlobal g => g.ToString(),
        BigInteger => "a big integer",
        _ => value.GetType().Name,
    };

    PickleException Fail(string reason) => new(path, reason);
}
