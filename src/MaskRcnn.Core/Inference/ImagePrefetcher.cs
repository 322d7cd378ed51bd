using MaskRcnn.Data;
using MaskRcnn.Data.Coco;
using static TorchSharp.torch;

namespace MaskRcnn.Inference;

/// <summary>One item of a prefetch: its decoded image, or why it could not be read (a missing, corrupt or
/// mis-sized file). The image was made on another thread, outside the consumer's dispose scopes: dispose it.</summary>
public sealed record DecodedImage<T>(T Item, Tensor? Image, Exception? Error);

/// <summary>
/// Decodes images ahead of their use, in order: with workers, up to <c>ahead</c> items are in flight on background
/// threads (at most <c>workers</c> decoding at once) while the model runs on the caller's thread; with none, each
/// is decoded when asked for. Unreadable images (<see cref="ImageDecodeException"/>, <see cref="DataException"/>)
/// come back as errors for the caller to report or stop on; any other failure is thrown when its item is reached.
/// </summary>
public static class ImagePrefetcher
{
    public static IEnumerable<DecodedImage<T>> Decode<T>(IReadOnlyList<T> items, Func<T, Tensor> decode, int workers, int ahead)
    {
        if (workers <= 0)
        {
            foreach (var item in items) yield return Attempt(item, decode);
            yield break;
        }
        using var gate = new SemaphoreSlim(workers);
        var pending = new Queue<Task<DecodedImage<T>>>();
        int next = 0;
        void Refill()
        {
            while (pending.Count < Math.Max(ahead, 1) && next < items.Count)
            {
                var item = items[next++];
                pending.Enqueue(Task.Run(async () =>
                {
                    await gate.WaitAsync().ConfigureAwait(false);
                    try { return Attempt(item, decode); }
                    finally { gate.Release(); }
                }));
            }
        }
        try
        {
            Refill();
            while (pending.Count > 0)
            {
                var decoded = pending.Dequeue().GetAwaiter().GetResult();
                Refill();
                yield return decoded;
            }
        }
        finally
        {
            // Stopped early (or failed): let the images in flight finish and free them.
            foreach (var task in pending)
                try { task.GetAwaiter().GetResult().Image?.Dispose(); } catch { /* the first failure is the one reported */ }
        }
    }

    static DecodedImage<T> Attempt<T>(T item, Func<T, Tensor> decode)
    {
        try { return new DecodedImage<T>(item, decode(item), null); }
        catch (Exception e) when (e is ImageDecodeException or DataException) { return new DecodedImage<T>(item, null, e); }
    }
}
