using MaskRcnn.Cli;
using MaskRcnn.Native;

TorchNativeLoader.EnsureLoaded();
return MaskRcnnCommandLine.Run(args, Console.Out, Console.Error);
