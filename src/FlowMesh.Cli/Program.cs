using System.CommandLine;
using FlowMesh.Cli;

var parsed = CliApp.Build().Parse(args);

// Bad usage (an unknown flag, a value that is not one of the choices) is exit 2, as for an invalid workflow file, so
// scripts can tell "you called it wrong" from "the work failed" (1).
if (parsed.Errors.Count > 0 && !args.Any(a => a is "--help" or "-h" or "-?"))
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"error: {error.Message}");
    }

    var path = new List<string>();
    for (var command = parsed.CommandResult; command.Parent is System.CommandLine.Parsing.CommandResult parent; command = parent)
    {
        path.Insert(0, command.Command.Name);
    }

    Console.Error.WriteLine($"see: flowmesh {string.Join(' ', path.Append("--help"))}");
    return 2;
}

// A node drains on SIGTERM (its running tasks get --drain-seconds), so the process must not be cut off after the
// library's default two seconds; every command's action ends promptly once its token is cancelled.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(10) }).ConfigureAwait(false);
