namespace MaskRcnn.Data.Loading;

/// <summary>
/// Runs work ahead of its use on background threads and hands the results out in item order: at most
/// <c>workers</c> items are worked on at once and <c>ahead</c> are in flight. Stopping early (or a failure) lets the
/// items in flight finish and passes their results to <c>discard</c> (they hold tensors made on other threads).
/// </summary>
public static class OrderedPrefetch
{
    public static IEnumerable<TOut> Run<TIn, TOut>(IEnumerable<TIn> items, Func<TIn, TOut> work, int workers, int ahead, Action<TOut> discard)
    {
        using var gate = new SemaphoreSlim(workers);
        var pending = new Queue<Task<TOut>>();
        using var next = items.GetEnumerator();
        void Refill()
        {
            while (pending.Count < Math.Max(ahead, 1) && next.MoveNext())
            {
                var item = next.Current;
                pending.Enqueue(Task.Run(async () =>
                {
                    await gate.WaitAsync().ConfigureAwait(false);
                    try { return work(item); }
                    finally { gate.Release(); }
                }));
            }
        }
        try
        {
            Refill();
            while (pending.Count > 0)
            {
                var result = pending.Dequeue().GetAwaiter().GetResult();
                Refill();
                yield return result;
            }
        }
        finally
        {
            foreach (var task in pending)
                try { discard(task.GetAwaiter().GetResult()); } catch { /* the first failure is the one reported */ }
        }
    }
}
