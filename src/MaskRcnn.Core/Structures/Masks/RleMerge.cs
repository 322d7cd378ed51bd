namespace MaskRcnn.Structures.Masks;

/// <summary>
/// Union or intersection of run-length masks, with the semantics of cocoapi's <c>rleMerge</c>: masks are folded in
/// order, two at a time, by walking both run lists together. Zero-length runs in the inputs are kept where cocoapi
/// keeps them, so even non-canonical counts come out as cocoapi's do.
/// </summary>
static class RleMerge
{
    public static Rle Merge(IReadOnlyList<Rle> masks, bool intersect)
    {
        if (masks.Count == 0) throw new ArgumentException("no masks to merge", nameof(masks));
        var first = masks[0];
        for (int i = 1; i < masks.Count; i++)
            if (masks[i].Height != first.Height || masks[i].Width != first.Width)
                throw new ArgumentException($"mask {i} is {masks[i].Height}x{masks[i].Width}, mask 0 is {first.Height}x{first.Width}", nameof(masks));
        var merged = first.Counts.ToArray();
        for (int i = 1; i < masks.Count; i++)
            merged = MergePair(merged, masks[i].Counts, intersect);
        return Rle.Trusted(first.Height, first.Width, merged);
    }

    /// <summary>Both count lists must sum to the same total; that is what ends the walk.</summary>
    static uint[] MergePair(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b, bool intersect)
    {
        // Each step but the last consumes a count of a or b, and each step emits at most one run.
        var merged = new uint[a.Length + b.Length];
        int m = 0;
        var walkA = new RunWalker(a);
        var walkB = new RunWalker(b);
        bool value = false;
        uint pending = 0;
        bool more = true;
        while (more)
        {
            uint step = Math.Min(walkA.Left, walkB.Left);
            pending += step;
            walkA.Advance(step);
            walkB.Advance(step);
            more = walkA.Left != 0 || walkB.Left != 0;
            bool previous = value;
            value = intersect ? walkA.Value && walkB.Value : walkA.Value || walkB.Value;
            if (value != previous || !more)
            {
                merged[m++] = pending;
                pending = 0;
            }
        }
        return merged.AsSpan(0, m).ToArray();
    }
}
