using MaskRcnn.Distributed;

namespace MaskRcnn.Tests.Distributed;

/// <summary>How a process learns it is one rank of an MPI job, from the launcher's environment alone (no MPI library
/// is loaded for a plain run).</summary>
public class MpiLaunchTests
{
    static MpiLaunch? Detect(params (string Name, string Value)[] variables)
    {
        var env = variables.ToDictionary(v => v.Name, v => v.Value);
        return MpiLaunch.Detect(name => env.GetValueOrDefault(name));
    }

    [Fact]
    public void APlainRunIsNoLaunch() => Assert.Null(Detect());

    [Fact]
    public void OneProcessUnderMpiexecRunsAlone() => Assert.Null(Detect(("PMI_RANK", "0"), ("PMI_SIZE", "1")));

    [Fact]
    public void HydraGivesRankSizeAndLocalRanks() =>
        Assert.Equal(new MpiLaunch(3, 4, 1, 2), Detect(("PMI_RANK", "3"), ("PMI_SIZE", "4"), ("MPI_LOCALRANKID", "1"), ("MPI_LOCALNRANKS", "2")));

    [Fact]
    public void SrunWithPmi2GivesSlurmsLocalRanks() =>
        Assert.Equal(new MpiLaunch(9, 16, 1, 8), Detect(("PMI_RANK", "9"), ("PMI_SIZE", "16"), ("SLURM_LOCALID", "1"), ("SLURM_NTASKS_PER_NODE", "8")));

    [Fact]
    public void WithoutLocalCountsAllRanksAreTakenToShareTheMachine()
    {
        var launch = Detect(("PMI_RANK", "1"), ("PMI_SIZE", "4"))!;
        Assert.Equal(4, launch.LocalSize);
        Assert.Equal(1, launch.ThreadsPerRank(cores: 4));
        Assert.Equal(1, launch.ThreadsPerRank(cores: 2)); // never zero threads
        Assert.Equal(8, new MpiLaunch(0, 2, 0, 2).ThreadsPerRank(cores: 16));
    }

    [Fact]
    public void OpenMpiIsRefusedByName()
    {
        var e = Assert.Throws<DistributedException>(() => Detect(("OMPI_COMM_WORLD_SIZE", "4"), ("OMPI_COMM_WORLD_RANK", "0")));
        Assert.Contains("Open MPI", e.Message);
        Assert.Contains("OMPI_COMM_WORLD_SIZE", e.Message);
    }

    [Fact]
    public void AnSrunStepWithoutPmiIsRefusedRatherThanRunningNIndependentTrainings()
    {
        var e = Assert.Throws<DistributedException>(() => Detect(("SLURM_STEP_NUM_TASKS", "4"), ("SLURM_PROCID", "2")));
        Assert.Contains("srun --mpi=pmi2", e.Message);
        Assert.Null(Detect(("SLURM_STEP_NUM_TASKS", "1"))); // a one-task step (or sbatch's script) is a plain run
    }

    [Fact]
    public void ARankOutsideTheJobIsAnError() =>
        Assert.Contains("PMI_RANK 4 and PMI_SIZE 4", Assert.Throws<DistributedException>(() => Detect(("PMI_RANK", "4"), ("PMI_SIZE", "4"))).Message);
}

/// <summary>Several processes and no usable MPI library: one line saying what to install, not N runs alone.</summary>
public class MpiLibraryTests
{
    [Fact]
    public void AnMpiLibraryThatCannotBeLoadedIsNamedInOneLine()
    {
        var before = Environment.GetEnvironmentVariable(MpiLibrary.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(MpiLibrary.EnvironmentVariable, "/nonexistent/libmpi.so.12");
            var e = Assert.Throws<DistributedException>(MpiLibrary.Load);
            Assert.Contains("MASKRCNN_MPI_LIBRARY=/nonexistent/libmpi.so.12 could not be loaded", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(MpiLibrary.EnvironmentVariable, before);
        }
    }
}
