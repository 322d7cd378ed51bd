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
        foreach (var decoded in Data.Loading.OrderedPrefetch.Run(items, item => Attempt(item, decode), workers, ahead, d => d.Image?.Dispose()))
            yield return decoded;
    }

    static DecodedImage<T> Attempt<T>(T item, Func<T, Tensor> decode)
    {
        try { return new DecodedImage<T>(item, decode(item), null); }
        catch (Exception e) when (e is ImageDecodeException or DataException) { return new DecodedImage<T>(item, null, e); }
    }
}
