using MaskRcnn.Config;
using TorchSharp;

namespace MaskRcnn.Distributed;

/// <summary>The process group this process belongs to, from how it was launched (<see cref="MpiLaunch"/>): alone, or
/// one rank of an MPI job, which then also takes its share of the machine's cores for torch's threads unless
/// OMP_NUM_THREADS says otherwise (so <c>mpiexec -n 2</c> on 2 cores does not oversubscribe them).</summary>
public static class ProcessGroups
{
    public static IProcessGroup FromLaunch()
    {
        if (MpiLaunch.FromEnvironment() is not { } launch) return SingleProcess.Instance;
        var group = MpiProcessGroup.Initialize(launch);
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMP_NUM_THREADS")))
            torch.set_num_threads(launch.ThreadsPerRank(Environment.ProcessorCount));
        return group;
    }

    /// <summary>MODEL.DEVICE <c>cuda</c> under a launch of several processes means this rank's own GPU,
    /// <c>cuda:{local rank}</c> (as torch.distributed's usual set-up); an explicit <c>cuda:N</c> or <c>cpu</c> stays.</summary>
    public static void AssignDevice(MaskRcnnConfig cfg, IProcessGroup group)
    {
        if (group.Size > 1 && string.Equals(cfg.Model.Device.Trim(), "cuda", StringComparison.OrdinalIgnoreCase))
            cfg.Model.Device = $"cuda:{group.LocalRank}";
    }
}
