using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace MaskRcnn.Pickle;

/// <summary>
/// Reads one pickle (protocols 0–5) from a stream into plain values: null, bool, long (or <see cref="BigInteger"/>),
/// double, string, byte[], <see cref="PyTuple"/>, <c>List&lt;object?&gt;</c>, <see cref="PyDict"/>, and whatever
/// <see cref="IPickleClasses"/> makes of the few globals it allows. A virtual machine over the opcodes, not Python:
/// nothing a file names runs, and lengths are checked against the bytes left before anything is allocated. Stops
/// right after STOP, so files made of several pickles (legacy torch.save) are read one pickle at a time.
/// Python 2 <c>str</c> (STRING, SHORT_BINSTRING) becomes a string with one char per byte (Latin-1), as Python 3 reads
/// such files with <c>encoding="latin1"</c>; a long one (BINSTRING, 256 bytes or more) stays bytes.
/// </summary>
public sealed class PickleReader
{
    readonly Stream stream;
    readonly string path;
    readonly IPickleClasses classes;
    readonly Func<object?, object?>? persistentLoad;
    readonly long lazyBytesFrom;
    readonly List<object?> stack = [];
    readonly Stack<int> marks = new();
    readonly Dictionary<long, object?> memo = [];

    /// <param name="persistentLoad">What a persistent id (torch's storage references) stands for; null refuses them.</param>
    /// <param name="lazyBytesFrom">Bytes values (BINBYTES, BINBYTES8, BYTEARRAY8, BINSTRING) at least this long are not
    /// read but pushed as a <see cref="PickleByteRange"/> of the (seekable) stream.</param>
    public PickleReader(Stream stream, string path, IPickleClasses classes, Func<object?, object?>? persistentLoad = null, long lazyBytesFrom = long.MaxValue) =>
        (this.stream, this.path, this.classes, this.persistentLoad, this.lazyBytesFrom) =
        (stream, path, classes, persistentLoad, stream.CanSeek ? lazyBytesFrom : long.MaxValue);

    /// <summary>Reads one pickle from the stream's position and returns its value, leaving the stream right after STOP.</summary>
    public object? Load()
    {
        stack.Clear();
        marks.Clear();
        memo.Clear();
        while (true)
        {
            var op = ReadByte();
            switch (op)
            {
                case 0x80: // PROTO
                    if (ReadByte() > 5) throw Fail("pickle protocol is newer than 5");
                    break;
                case 0x95: ReadBytes(8); break; // FRAME: a length hint only
                case (byte)'.': // STOP
                    marks.Clear();
                    return Pop();

                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break;
                case 0x89: Push(false); break;
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;
                case (byte)'K': Push((long)ReadByte()); break;
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break;
                case 0x8a: Push(Integer(new BigInteger(ReadBytes(ReadByte()), isUnsigned: false, isBigEndian: false))); break; // LONG1
                case 0x8b: Push(Integer(new BigInteger(ReadBytes(ReadLength(4)), isUnsigned: false, isBigEndian: false))); break; // LONG4
                case (byte)'I': Push(TextInt(ReadLine())); break;
                case (byte)'L': Push(TextLong(ReadLine())); break;
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break;
                case (byte)'F':
                    Push(double.TryParse(ReadLine(), NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? f : throw Fail("malformed FLOAT"));
                    break;

                case (byte)'X': Push(Utf8(ReadBytes(ReadLength(4)))); break; // BINUNICODE
                case 0x8c: Push(Utf8(ReadBytes(ReadByte()))); break; // SHORT_BINUNICODE
                case 0x8d: Push(Utf8(ReadBytes(ReadLength(8)))); break; // BINUNICODE8
                case (byte)'V': Push(RawUnicodeEscape(ReadLine())); break; // UNICODE
                case (byte)'S': Push(Encoding.Latin1.GetString(PythonStringLiteral(ReadLine()))); break; // STRING
                // BINSTRING: a Python 2 str of 256 bytes or more, which in a weight file is array data: kept as bytes,
                // saving the two copies through Latin-1 text (keys and type codes are short: SHORT_BINSTRING).
                case (byte)'T': Push(Bytes(ReadLength(4))); break;
                case (byte)'U': Push(Encoding.Latin1.GetString(ReadBytes(ReadByte()))); break; // SHORT_BINSTRING
                case (byte)'B': Push(Bytes(ReadLength(4))); break; // BINBYTES
                case (byte)'C': Push(ReadBytes(ReadByte())); break; // SHORT_BINBYTES
                case 0x8e: Push(Bytes(ReadLength(8))); break; // BINBYTES8
                case 0x96: Push(Bytes(ReadLength(8))); break; // BYTEARRAY8

                case (byte)')': Push(PyTuple.Empty); break;
                case 0x85: Push(Tuple([Pop()])); break;
                case 0x86: { var b = Pop(); var a = Pop(); Push(Tuple([a, b])); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(Tuple([a, b, c])); break; }
                case (byte)'t': Push(Tuple(PopMark())); break;
                case (byte)']': Push(new List<object?>()); break;
                case (byte)'l': Push(PopMark()); break;
                case (byte)'a': { var item = Pop(); AsList(Peek()).Add(item); break; }
                case (byte)'e': { var items = PopMark(); AsList(Peek()).AddRange(items); break; }
                case (byte)'}': Push(new PyDict()); break;
                case (byte)'d': Push(DictOf(PopMark())); break;
                case (byte)'s': { var value = Pop(); var key = Pop(); SetItem(Peek(), key, value); break; }
                case (byte)'u': { var items = PopMark(); var dict = Peek(); for (int i = 0; i + 1 < items.Count; i += 2) SetItem(dict, items[i], items[i + 1]); break; }
                case 0x8f: Push(new List<object?>()); break; // EMPTY_SET: a set is read as a list
                case 0x90: { var items = PopMark(); AsList(Peek()).AddRange(items); break; } // ADDITEMS
                case 0x91: Push(PopMark()); break; // FROZENSET

                case (byte)'0': Pop(); break;
                case (byte)'1': PopMark(); break;
                case (byte)'2': Push(Peek()); break;
                case (byte)'(': marks.Push(stack.Count); break;

                case (byte)'p': memo[MemoIndex(ReadLine())] = Peek(); break;
                case (byte)'q': memo[ReadByte()] = Peek(); break;
                case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(); break;
                case 0x94: memo[memo.Count] = Peek(); break; // MEMOIZE
                case (byte)'g': Push(Memo(MemoIndex(ReadLine()))); break;
                case (byte)'h': Push(Memo(ReadByte())); break;
                case (byte)'j': Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break;

                case (byte)'c': Push(Global(ReadLine(), ReadLine())); break;
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop() as string ?? throw Fail("STACK_GLOBAL without a string name");
                    var module = Pop() as string ?? throw Fail("STACK_GLOBAL without a string module");
                    Push(Global(module, name));
                    break;
                }
                case (byte)'R': { var args = AsTuple(Pop(), "REDUCE"); Push(classes.Call(AsCallable(Pop(), "REDUCE"), args)); break; }
                case 0x81: { var args = AsTuple(Pop(), "NEWOBJ"); Push(classes.Call(AsCallable(Pop(), "NEWOBJ"), args)); break; }
                case 0x92: // NEWOBJ_EX: keyword arguments have no use in a data file
                {
                    var kwargs = Pop();
                    var args = AsTuple(Pop(), "NEWOBJ_EX");
                    var cls = AsCallable(Pop(), "NEWOBJ_EX");
                    if (kwargs is PyDict { Count: > 0 }) throw Fail($"{cls} is created with keyword arguments, which a weight file does not need; refused");
                    Push(classes.Call(cls, args));
                    break;
                }
                case (byte)'i': // INST
                {
                    var cls = Global(ReadLine(), ReadLine());
                    Push(classes.Call(cls, new PyTuple(PopMark())));
                    break;
                }
                case (byte)'o': // OBJ
                {
                    var items = PopMark();
                    if (items.Count == 0) throw Fail("OBJ without a class");
                    Push(classes.Call(AsCallable(items[0], "OBJ"), new PyTuple(items.Skip(1).ToList())));
                    break;
                }
                case (byte)'b': { var state = Pop(); Push(classes.Build(Pop(), state)); break; }

                case (byte)'P': Push(Persistent(ReadLine())); break;
                case (byte)'Q': Push(Persistent(Pop())); break;

                case 0x82 or 0x83 or 0x84:
                    throw Fail("the pickle uses the copyreg extension registry (EXT opcodes), which a weight file does not need; refused");
                case 0x97 or 0x98:
                    throw Fail("the pickle refers to out-of-band buffers (protocol 5), which a file cannot carry");
                default:
                    throw Fail($"unknown pickle opcode 0x{op:x2} at byte {stream.Position - 1}");
            }
        }
    }

    /// <summary>Tuples nested deeper than this are refused: comparing or hashing them would exhaust the stack.</summary>
    public const int MaxTupleDepth = 256;

    PyTuple Tuple(List<object?> items)
    {
        var tuple = new PyTuple(items);
        return tuple.Depth <= MaxTupleDepth ? tuple : throw Fail($"tuples nest deeper than {MaxTupleDepth}; no weight file does that");
    }

    PyGlobal Global(string module, string name)
    {
        var global = new PyGlobal(module, name);
        return classes.Allows(global) ? global
            : throw Fail($"the pickle asks for {global}, which a weight file does not need; refused (only tensors, numpy arrays and plain containers are read, and nothing in a file runs)");
    }

    object? Persistent(object? id) => persistentLoad is null
        ? throw Fail("the pickle refers to external data (a persistent id) outside a torch.save file; refused")
        : persistentLoad(id);

    static object Integer(BigInteger value) => value >= long.MinValue && value <= long.MaxValue ? (long)value : value;

    object TextInt(string text) => text switch
    {
        "00" => false,
        "01" => true,
        _ => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v
            : BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big) ? big
            : throw Fail("malformed INT"),
    };

    object TextLong(string text) =>
        BigInteger.TryParse(text.TrimEnd('L'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? Integer(v) : throw Fail("malformed LONG");

    long MemoIndex(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : throw Fail("malformed memo index");

    object? Memo(long index) => memo.TryGetValue(index, out var value) ? value : throw Fail($"memo entry {index} is read before it is written");

    void Push(object? value) => stack.Add(value);

    object? Pop()
    {
        if (stack.Count == 0 || (marks.Count > 0 && stack.Count == marks.Peek())) throw Fail("pickle stack underflow");
        var value = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    object? Peek() => stack.Count > 0 ? stack[^1] : throw Fail("pickle stack underflow");

    List<object?> PopMark()
    {
        if (marks.Count == 0) throw Fail("pickle pops a mark it never set");
        var start = marks.Pop();
        var items = stack.GetRange(start, stack.Count - start);
        stack.RemoveRange(start, stack.Count - start);
        return items;
    }

    List<object?> AsList(object? value) => value as List<object?> ?? throw Fail($"pickle appends to a {TypeName(value)}, not a list");

    PyTuple AsTuple(object? value, string op) => value as PyTuple ?? throw Fail($"{op} arguments are a {TypeName(value)}, not a tuple");

    PyGlobal AsCallable(object? value, string op) => value as PyGlobal ?? throw Fail($"{op} calls a {TypeName(value)}, not a class");

    PyDict DictOf(List<object?> items)
    {
        var dict = new PyDict();
        for (int i = 0; i + 1 < items.Count; i += 2) SetItem(dict, items[i], items[i + 1]);
        return dict;
    }

    void SetItem(object? dict, object? key, object? value)
    {
        if (dict is not PyDict d) throw Fail($"pickle sets an item on a {TypeName(dict)}, not a dict");
        d.Set(key ?? throw Fail("a dict key is None"), value);
    }

    static string TypeName(object? value) => value switch
    {
        null => "None",
        PyGlobal g => g.ToString(),
        _ => value.GetType().Name,
    };

    byte ReadByte()
    {
        var b = stream.ReadByte();
        return b >= 0 ? (byte)b : throw Fail("file ends inside a pickle (truncated?)");
    }

    int ReadLength(int width)
    {
        var bytes = ReadBytes(width);
        var length = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (length > (ulong)Math.Max(0, stream.Length - stream.Position))
            throw Fail($"a pickled value claims {length} bytes, more than the file has left (truncated or corrupt)");
        return length <= int.MaxValue ? (int)length : throw Fail($"a pickled value of {length} bytes is too large to read");
    }

    // A bytes value: read, or past a lazy threshold left in the file as its range.
    object Bytes(int count)
    {
        if (count < lazyBytesFrom) return ReadBytes(count);
        var range = new PickleByteRange(stream.Position, count);
        stream.Seek(count, SeekOrigin.Current);
        return range;
    }

    byte[] ReadBytes(int count)
    {
        var bytes = new byte[count];
        try { stream.ReadExactly(bytes); }
        catch (EndOfStreamException) { throw Fail("file ends inside a pickle (truncated?)"); }
        return bytes;
    }

    string ReadLine()
    {
        var line = new List<byte>();
        for (byte b; (b = ReadByte()) != (byte)'\n';)
        {
            if (line.Count > 1 << 20) throw Fail("a text opcode's line is longer than 1 MB");
            line.Add(b);
        }
        if (line.Count > 0 && line[^1] == (byte)'\r') line.RemoveAt(line.Count - 1);
        return Encoding.Latin1.GetString(line.ToArray());
    }

    string Utf8(byte[] bytes)
    {
        try { return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
        catch (DecoderFallbackException) { throw Fail("a pickled string is not valid UTF-8"); }
    }

    // Protocol 0's UNICODE: Latin-1 text with \uXXXX and \UXXXXXXXX escapes.
    string RawUnicodeEscape(string text)
    {
        var result = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            int digits = text[i] == '\\' && i + 1 < text.Length ? text[i + 1] switch { 'u' => 4, 'U' => 8, _ => 0 } : 0;
            if (digits == 0 || i + 2 + digits > text.Length) { result.Append(text[i]); continue; }
            if (!int.TryParse(text.AsSpan(i + 2, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code) || code > 0x10FFFF)
                throw Fail("malformed \\u escape in a UNICODE string");
            result.Append(char.ConvertFromUtf32(code));
            i += 1 + digits;
        }
        return result.ToString();
    }

    // Protocol 0's STRING: a quoted Python 2 string literal with backslash escapes.
    byte[] PythonStringLiteral(string text)
    {
        if (text.Length < 2 || text[0] != text[^1] || text[0] is not ('\'' or '"')) throw Fail("malformed STRING");
        var body = text[1..^1];
        var bytes = new List<byte>(body.Length);
        for (int i = 0; i < body.Length; i++)
        {
            if (body[i] != '\\' || i + 1 == body.Length) { bytes.Add((byte)body[i]); continue; }
            var c = body[++i];
            switch (c)
            {
                case 'n': bytes.Add((byte)'\n'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case 'r': bytes.Add((byte)'\r'); break;
                case '0' or '1' or '2' or '3' or '4' or '5' or '6' or '7':
                {
                    int end = i;
                    while (end < body.Length && end < i + 3 && body[end] is >= '0' and <= '7') end++;
                    bytes.Add((byte)Convert.ToInt32(body[i..end], 8));
                    i = end - 1;
                    break;
                }
                case 'x' when i + 2 < body.Length:
                    bytes.Add(byte.TryParse(body.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var x) ? x : throw Fail("malformed \\x escape in a STRING"));
                    i += 2;
                    break;
                default: bytes.Add((byte)c); break;
            }
        }
        return bytes.ToArray();
    }

    PickleException Fail(string reason) => new(path, reason);
}
