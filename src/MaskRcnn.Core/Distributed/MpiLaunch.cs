using System.Globalization;

namespace MaskRcnn.Distributed;

/// <summary>
/// How this process was started, read from the launcher's environment before any MPI library is touched: MPICH's
/// Hydra <c>mpiexec</c> and Slurm's <c>srun --mpi=pmi2</c> set <c>PMI_RANK</c>/<c>PMI_SIZE</c> (Hydra adds
/// <c>MPI_LOCALRANKID</c>/<c>MPI_LOCALNRANKS</c>, Slurm <c>SLURM_LOCALID</c>/<c>SLURM_NTASKS_PER_NODE</c>). Null for a
/// plain run or a launch of one process, so a plain run never needs MPI. Open MPI (not ABI-compatible) and a multi-task
/// srun step without a PMI plugin (which would start N independent runs writing over each other) are refused.
/// </summary>
public sealed record MpiLaunch(int Rank, int Size, int LocalRank, int LocalSize)
{
    public static MpiLaunch? FromEnvironment() => Detect(Environment.GetEnvironmentVariable);

    public static MpiLaunch? Detect(Func<string, string?> env)
    {
        if (Number(env, "OMPI_COMM_WORLD_SIZE") is > 1 and var ompi)
            throw new DistributedException($"launched by Open MPI ({ompi} processes, OMPI_COMM_WORLD_SIZE): maskrcnn speaks the MPICH ABI " +
                                           "(MPICH, Intel MPI, MVAPICH, Cray MPICH, MS-MPI) and Open MPI's is another; launch with MPICH's mpiexec (apt-get install mpich)");
        if (Number(env, "PMI_SIZE") is not { } size || Number(env, "PMI_RANK") is not { } rank)
        {
            if (Number(env, "SLURM_STEP_NUM_TASKS") is > 1 and var tasks)
                throw new DistributedException($"started as one of {tasks} srun tasks without a PMI (no PMI_RANK/PMI_SIZE): each would train alone into the same " +
                                               "OUTPUT_DIR; launch with srun --mpi=pmi2 (or mpiexec)");
            return null;
        }
        if (size < 1 || rank < 0 || rank >= size)
            throw new DistributedException($"PMI_RANK {rank} and PMI_SIZE {size} from the launcher do not make a rank");
        if (size == 1) return null;
        int localRank = Number(env, "MPI_LOCALRANKID") ?? Number(env, "SLURM_LOCALID") ?? rank;
        // Unknown local count: assume all ranks share this machine (fewer threads each, never more than the cores).
        int localSize = Number(env, "MPI_LOCALNRANKS") ?? Number(env, "SLURM_NTASKS_PER_NODE") ?? size;
        return new MpiLaunch(rank, size, Math.Clamp(localRank, 0, Math.Max(localSize - 1, 0)), Math.Max(localSize, 1));
    }

    /// <summary>Torch threads per rank when the user set none (OMP_NUM_THREADS): the machine's cores shared by its ranks.</summary>
    public int ThreadsPerRank(int cores) => Math.Max(1, cores / LocalSize);

    static int? Number(Func<string, string?> env, string name) =>
        int.TryParse(env(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : null;
}
