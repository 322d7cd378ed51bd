namespace MaskRcnn.Checkpoint.Naming;

/// <summary>Whether a parameter or buffer name belongs to a module: <c>head.cls_logits.weight</c> to <c>head.cls_logits</c>, not to <c>head.cls</c>.</summary>
static class ModuleMembership
{
    public static bool BelongsTo(string name, string module) =>
        name.Length > module.Length && name.StartsWith(module, StringComparison.Ordinal) && name[module.Length] == '.';

    public static bool BelongsToAny(string name, IEnumerable<string> modules) => modules.Any(m => BelongsTo(name, m));
}
