using System.CommandLine;

namespace FlowMesh.Cli;

internal static class ResumeCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("workflow-id") { Description = "The id `flowmesh run` printed" };
        var plain = new Option<bool>("--plain") { Description = "Print one line per task event instead of the live view" };
        var command = new Command("resume", "Finish a workflow whose `flowmesh run` was interrupted: finished tasks are kept, interrupted ones run again") { id, plain };
        command.SetAction(async (result, cancellationToken) =>
            await Driver.RunAsync(CliApp.DataDir(result), result.GetValue(CliApp.DurabilityOption), result.GetValue(plain), engine => engine.ResumeAsync(result.GetValue(id)!, cancellationToken), cancellationToken).ConfigureAwait(false));
        return command;
    }
}
