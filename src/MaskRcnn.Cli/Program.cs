using MaskRcnn.Cli;
using MaskRcnn.Native;

// Before anything touches TorchSharp; --verbose also names the patched libLibTorchSharp copy on older Linux systems.
TorchNativeLoader.EnsureLoaded(verbose: args.Contains(MaskRcnnCommandLine.Verbose.Name));
return MaskRcnnCommandLine.Run(args, Console.Out, Console.Error);
