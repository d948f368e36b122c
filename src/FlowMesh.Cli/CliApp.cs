using System.CommandLine;
using FlowMesh.Engine.Runtime;

namespace FlowMesh.Cli;

/// <summary>The <c>flowmesh</c> command tree.</summary>
internal static class CliApp
{
    public static Option<string?> DataDirOption { get; } = new("--data-dir")
    {
        Description = "Where FlowMesh keeps its store, results and logs (default: FLOWMESH_DATA_DIR, else ~/.local/share/flowmesh)",
        Recursive = true,
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
            """);
        root.Options.Add(DataDirOption);
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ResumeCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(ListCommand.Create());
        root.Subcommands.Add(ShowCommand.Create());
        root.Subcommands.Add(LogsCommand.Create());
        return root;
    }

    public static string DataDir(ParseResult result) =>
        result.GetValue(DataDirOption) is { Length: > 0 } dir ? Path.GetFullPath(dir) : DataDirectory.Default();
}
