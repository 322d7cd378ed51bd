using MaskRcnn.Cli;
using MaskRcnn.Distributed;
using MaskRcnn.Native;

// Before anything touches TorchSharp; --verbose also names the patched libLibTorchSharp copy on older Linux systems.
TorchNativeLoader.EnsureLoaded(verbose: args.Contains(MaskRcnnCommandLine.Verbose.Name));
IProcessGroup group;
try
{
    group = ProcessGroups.FromLaunch(); // alone, or one rank of mpiexec / srun
}
catch (DistributedException e)
{
    Console.Error.WriteLine($"maskrcnn: error: {e.Message}");
    return MaskRcnnCommandLine.UsageError;
}
int code = MaskRcnnCommandLine.Run(args, group.IsMain ? Console.Out : TextWriter.Null, Console.Error, group);
// A rank that failed ends the job: the others would wait for it in their next collective forever.
if (group.Size > 1 && code is MaskRcnnCommandLine.RuntimeError or MaskRcnnCommandLine.UsageError)
{
    Console.Error.Flush();
    Thread.Sleep(500); // the launcher forwards our stderr asynchronously and drops what is pending when the job aborts
    group.Abort(code);
}
group.Dispose();
return code;
