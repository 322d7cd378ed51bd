using TorchSharp;

namespace MaskRcnn.Modeling.Backbone.Fusion;

/// <summary>
/// A module with a faster inference path: frozen batch norms folded into the convolutions before them.
/// <see cref="Fuse"/> snapshots the current weights; the folded path runs only in eval mode, and switching to
/// training mode, moving the module to another device or dtype, or <see cref="Unfuse"/> drops the snapshot, so
/// training always sees the real layers. Weights loaded after <see cref="Fuse"/> need another <see cref="Fuse"/>.
/// </summary>
public interface IInferenceFusable
{
    /// <summary>Folds the current weights; call again after changing weights. No-op where there is nothing to fold.</summary>
    void Fuse();

    void Unfuse();

    /// <summary>Whether a folded snapshot exists (used whenever the module is in eval mode).</summary>
    bool IsFused { get; }

    /// <summary>Fuses or unfuses every fusable module below <paramref name="root"/>.</summary>
    static void Apply(torch.nn.Module root, bool fuse)
    {
        foreach (var module in root.modules())
            if (module is IInferenceFusable fusable)
            {
                if (fuse) fusable.Fuse();
                else fusable.Unfuse();
            }
    }

    /// <summary>Whether any fusable module below <paramref name="root"/> holds a snapshot.</summary>
    static bool AnyFused(torch.nn.Module root) => root.modules().OfType<IInferenceFusable>().Any(f => f.IsFused);
}
