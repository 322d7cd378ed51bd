namespace MaskRcnn.Distributed;

/// <summary>The small agreements a distributed run needs besides gradients: one decision for all ranks.</summary>
public static class Collectives
{
    /// <summary>Whether any rank says yes (a stop request seen by one rank stops all at the same iteration).</summary>
    public static bool Any(this IProcessGroup group, bool mine)
    {
        if (group.Size == 1) return mine;
        Span<double> flag = [mine ? 1 : 0];
        group.AllReduceSum(flag);
        return flag[0] > 0;
    }

    /// <summary>The mean over the ranks of each value (maskrcnn-benchmark's reduce_loss_dict), in place.</summary>
    public static void Mean(this IProcessGroup group, Span<double> values)
    {
        if (group.Size == 1) return;
        group.AllReduceSum(values);
        foreach (ref var v in values) v /= group.Size;
    }

    /// <summary>Rank 0's <paramref name="value"/>, on every rank (a seed drawn at random).</summary>
    public static long FromRoot(this IProcessGroup group, long value)
    {
        if (group.Size == 1) return value;
        var bytes = BitConverter.GetBytes(value);
        group.Broadcast(bytes);
        return BitConverter.ToInt64(bytes);
    }

    /// <summary>Rank 0's <paramref name="value"/> when every rank has the same; otherwise every rank fails with
    /// <paramref name="disagreement"/>(first other rank, its value, rank 0's value).</summary>
    public static long Agree(this IProcessGroup group, long value, Func<int, long, long, string> disagreement)
    {
        if (group.Size == 1) return value;
        var all = group.Gather(BitConverter.GetBytes(value));
        var verdict = new byte[3 * sizeof(long)];
        if (group.IsMain)
        {
            var values = all!.Select(b => BitConverter.ToInt64(b)).ToArray();
            int odd = Array.FindIndex(values, v => v != value);
            BitConverter.GetBytes(value).CopyTo(verdict, 0);
            BitConverter.GetBytes((long)odd).CopyTo(verdict, 8);
            BitConverter.GetBytes(odd >= 0 ? values[odd] : 0).CopyTo(verdict, 16);
        }
        group.Broadcast(verdict);
        long root = BitConverter.ToInt64(verdict, 0), oddRank = BitConverter.ToInt64(verdict, 8);
        if (oddRank >= 0) throw new DistributedException(disagreement((int)oddRank, BitConverter.ToInt64(verdict, 16), root));
        return root;
    }
}
