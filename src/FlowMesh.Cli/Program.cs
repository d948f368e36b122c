using System.CommandLine;
using FlowMesh.Cli;

// A node drains on SIGTERM (its running tasks get --drain-seconds), so the process must not be cut off after the
// library's default two seconds; every command's action ends promptly once its token is cancelled.
return await CliApp.Build().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(10) }).ConfigureAwait(false);
