using System.CommandLine;
using FlowMesh.Engine.Runtime;
using FlowMesh.Engine.Store;

namespace FlowMesh.Cli;

/// <summary>The <c>flowmesh</c> command tree.</summary>
internal static class CliApp
{
    public static Option<string?> DataDirOption { get; } = new("--data-dir")
    {
        Description = "Where FlowMesh keeps its store, results and logs (default: FLOWMESH_DATA_DIR, else ~/.local/share/flowmesh)",
        Recursive = true,
    };

    public static Option<CommitDurability> DurabilityOption { get; } = new("--durability")
    {
        Description = "What a commit of the SQLite store survives: fsync (a power cut too; default) or process (a kill -9 of the process only, faster where fsync is slow)",
        Recursive = true,
        DefaultValueFactory = _ => Enum.TryParse<CommitDurability>(Environment.GetEnvironmentVariable("FLOWMESH_DURABILITY"), ignoreCase: true, out var d) ? d : CommitDurability.Fsync,
        CustomParser = result => result.Tokens.Count == 1 && Enum.TryParse<CommitDurability>(result.Tokens[0].Value, ignoreCase: true, out var d) && Enum.IsDefined(d)
            ? d
            : ParseError(result),
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("""
            FlowMesh runs LLM workflows (inference, training, RAG, agents, python, echo, ...) as a DAG of tasks.

            Start here:
              flowmesh validate my-workflow.yaml     check a workflow file, with line numbers for every error
              flowmesh run my-workflow.yaml          run it on this machine (embedded store, no server needed)
              flowmesh list                          workflows run from this data directory
              flowmesh show <workflow-id>            tasks, states, outputs and errors of one workflow

            As a service:
              flowmesh up                            API server + a node on this machine (admin token in <data-dir>/admin.token)
              flowmesh workflow submit f.yaml -w     submit to a server and watch it (--server, --token)
            """);
        root.Options.Add(DataDirOption);
        root.Options.Add(DurabilityOption);
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ResumeCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(ListCommand.Create());
        root.Subcommands.Add(ShowCommand.Create());
        root.Subcommands.Add(LogsCommand.Create());
        root.Subcommands.Add(ServerCommand.Create(up: false));
        root.Subcommands.Add(ServerCommand.Create(up: true));
        root.Options.Add(Remote.Remote.ServerOption);
        root.Options.Add(Remote.Remote.TokenOption);
        root.Options.Add(Remote.Remote.OutputOption);
        root.Subcommands.Add(Remote.WorkflowCommands.Create());
        root.Subcommands.Add(Remote.TaskCommands.Create());
        root.Subcommands.Add(Remote.NodeCommands.Create());
        root.Subcommands.Add(Remote.ResultCommands.Create());
        root.Subcommands.Add(Remote.TraceCommand.Create());
        root.Subcommands.Add(Remote.AdminCommands.Tenant());
        root.Subcommands.Add(Remote.SecretCommands.Create());
        root.Subcommands.Add(Remote.AdminCommands.Token());
        root.Subcommands.Add(Cluster.ClusterCommands.Create());
        return root;
    }

    private static CommitDurability ParseError(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"--durability must be fsync or process, not '{string.Join(' ', result.Tokens.Select(t => t.Value))}'");
        return CommitDurability.Fsync;
    }

    public static string DataDir(ParseResult result) =>
        result.GetValue(DataDirOption) is { Length: > 0 } dir ? Path.GetFullPath(dir) : DataDirectory.Default();
}
