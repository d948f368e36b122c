using System.CommandLine;
using System.Globalization;
using FlowMesh.Client.Models;

namespace FlowMesh.Cli.Remote;

/// <summary><c>flowmesh node list|info|cordon|uncordon</c>.</summary>
internal static class NodeCommands
{
    public static Command Create()
    {
        var all = new Option<bool>("--all") { Description = "Include nodes that left or were lost" };
        var list = new Command("list", "Nodes with their capacity and what is free") { all };
        list.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var nodes = await client.ListNodesAsync(result.GetValue(all), ct).ConfigureAwait(false);
            if (Remote.IsJson(result))
            {
                Remote.PrintJson(nodes);
            }
            else
            {
                Print(nodes);
            }

            return 0;
        }));
        var group = Remote.Group("node", "Run this machine as a node of a server (no subcommand), or list and manage the server's nodes", list, One("info", "One node", (c, id, ct) => c.GetNodeAsync(id, ct)),
            One("cordon", "Take no new tasks on a node (system admins)", (c, id, ct) => c.CordonAsync(id, ct)),
            One("uncordon", "Let a node take tasks again (system admins)", (c, id, ct) => c.UncordonAsync(id, ct)));
        NodeAgentCommand.Configure(group);
        return group;
    }

    private static Command One(string name, string description, Func<Client.FlowMeshClient, string, CancellationToken, Task<NodeInfo>> call)
    {
        var id = new Argument<string>("node-id");
        var command = new Command(name, description) { id };
        command.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var node = await call(client, result.GetValue(id)!, ct).ConfigureAwait(false);
            if (Remote.IsJson(result))
            {
                Remote.PrintJson(node);
            }
            else
            {
                Print([node]);
            }

            return 0;
        }));
        return command;
    }

    private static void Print(IReadOnlyList<NodeInfo> nodes) =>
        Table.Print(["node", "state", "cordoned", "cpus free", "memory free", "gpus free", "slots free", "running"], nodes.Select(n => new[]
        {
            n.Id, n.State.ToLowerInvariant(), n.Cordoned ? "yes" : "no", $"{n.Free.Cpus:0.#}/{n.Capacity.Cpus:0.#}",
            $"{n.Free.MemoryBytes >> 20}/{n.Capacity.MemoryBytes >> 20} MiB", $"{n.Free.Gpus.Count}/{n.Capacity.Gpus.Count}",
            $"{n.Free.Slots}/{n.Capacity.Slots}", (n.RunningTasks.Count + n.OtherTenantsTasks).ToString(CultureInfo.InvariantCulture),
        }));
}
