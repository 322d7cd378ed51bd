namespace MaskRcnn.Pickle;

/// <summary>
/// What a pickle's class references may mean to a reader: the short list of globals a data file needs (tensor
/// rebuilders, array constructors, OrderedDict). Every other global stops the reading with one line naming it;
/// nothing named by a pickle ever runs, so a crafted file can at most be refused.
/// </summary>
public interface IPickleClasses
{
    /// <summary>Whether the pickle may name <paramref name="global"/> at all.</summary>
    bool Allows(PyGlobal global);

    /// <summary>The value of calling an allowed global (REDUCE, NEWOBJ, INST, OBJ) with <paramref name="args"/>.</summary>
    object? Call(PyGlobal callable, PyTuple args);

    /// <summary>The value after setting <paramref name="state"/> on <paramref name="target"/> (BUILD).</summary>
    object? Build(object? target, object? state);
}
