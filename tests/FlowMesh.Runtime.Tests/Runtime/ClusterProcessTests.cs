using System.Text;
using System.Text.RegularExpressions;
using FlowMesh.Abstractions;
using FlowMesh.Runtime.Client;
using FlowMesh.Runtime.Hosting;
using FlowMesh.Runtime.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FlowMesh.Runtime.Tests.Runtime;

/// <summary>
/// The cluster as it is deployed: 3 silo processes and node agents (Orleans clients) on a real redis-server, one
/// 1,000-task workflow, and real kills: kill -9 of a silo, of an agent and of Redis, and an agent paused past its lease
/// (its late reports must change nothing).
/// </summary>
[Collection(RedisCollection.Name)]
[Trait("Category", "Integration")]
public sealed partial class ClusterProcessTests(ITestOutputHelper output)
{
    private const int Gates = 8;

    [RedisFact]
    public async Task Workflow_SiloAgentAndRedisKilled_EveryTaskEndsOnceAndAcknowledgedOutcomesStand()
    {
        var ct = Timeouts.Scenario(420);
        await using var redis = await RedisServer.StartNewAsync(cancellationToken: ct);
        var data = Directory.CreateTempSubdirectory("flowmesh-cluster-").FullName;
        var gate = Path.Combine(data, "gate-open");
        var processes = new List<FlowMeshProcess>();
        FlowMeshProcess Start(string name, params string[] args)
        {
            var p = new FlowMeshProcess(name, [.. args, "--store", redis.Url, "--data-dir", data], line => Log(line));
            processes.Add(p);
            return p;
        }

        try
        {
            var silos = Enumerable.Range(0, 3).Select(i => Start($"silo-{i}", "cluster", "silo", "--no-node", "--lease-seconds", "3")).ToList();
            await Task.WhenAll(silos.Select(s => s.WaitForLineAsync(l => l.Contains(" up: gateway", StringComparison.Ordinal), ct)));
            var agentA = Start("agent-a", "cluster", "agent", "--name", "agent-a", "--slots", "8");
            var agentB = Start("agent-b", "cluster", "agent", "--name", "agent-b", "--slots", "8");
            await Task.WhenAll(new[] { agentA, agentB }.Select(a => a.WaitForLineAsync(l => l.Contains(" joined", StringComparison.Ordinal), ct)));

            using var host = FlowMeshClientHost.Build(redis.Url, 0);
            await host.StartAsync(ct);
            var client = new FlowMeshRuntimeClient(host.Services.GetRequiredService<IClusterClient>(), TimeProvider.System);
            var id = (await client.SubmitAsync(RuntimeCluster.Parse(Workflow(gate)), "default", "test", ct)).Id;

            // Every gate runs (on agent a or b), holding the second half of the workflow back.
            var running = await EventuallyAsync(client, id, s => Gated(s).All(t => t.State == TaskState.Running), ct);
            var onA = Gated(running).Where(t => t.NodeId == "agent-a").Select(t => t.Index).ToHashSet();
            Log($"gates running: {onA.Count} on agent-a, {Gates - onA.Count} on agent-b");

            await silos[1].KillAsync();
            await agentA.PauseAsync();
            await agentB.KillAsync();
            var agentC = Start("agent-c", "cluster", "agent", "--name", "agent-c", "--slots", "8");
            await agentC.WaitForLineAsync(l => l.Contains(" joined", StringComparison.Ordinal), ct);

            // After the lease, every gate runs again on agent-c under a new attempt.
            await EventuallyAsync(client, id, s => Gated(s).All(t => t.State == TaskState.Running && t.NodeId == "agent-c" && t.Attempt >= 2), ct);

            await redis.KillAsync();
            await redis.StartAsync(ct);
            await File.WriteAllTextAsync(gate, "open", ct);
            var final = await EventuallyAsync(client, id, s => StateMachines.Workflow.IsTerminal(s.State), ct);
            Assert.Equal(WorkflowState.Succeeded, final.State);

            // The paused agent wakes up: its gates finished too, but its reports are for attempts it no longer holds.
            await agentA.ResumeAsync();
            foreach (var index in onA)
            {
                await agentA.WaitForLineAsync(l => l.StartsWith($"report {id}/{index} attempt 1: ", StringComparison.Ordinal), ct);
            }

            var events = await AllEventsAsync(host, id, ct);
            Events.AssertGapFree(events);
            var states = Events.TaskStates(events);
            Assert.Equal(1000, states.Count);
            Assert.All(states, kv => Assert.True(Events.Terminals(kv.Value) == 1, $"{kv.Key}: {string.Join(" ", kv.Value)}"));

            var after = (await client.GetAsync(id, ct))!;
            Assert.Equal(final.Tasks.Select(t => (t.State, t.Attempt)), after.Tasks.Select(t => (t.State, t.Attempt)));
            var acknowledged = 0;
            foreach (var line in processes.Where(p => p.Name.StartsWith("agent-", StringComparison.Ordinal)).SelectMany(p => p.Lines))
            {
                if (ReportLine().Match(line) is { Success: true } m && m.Groups["wf"].Value == id)
                {
                    var task = after.Tasks[int.Parse(m.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture)];
                    var attempt = int.Parse(m.Groups["attempt"].Value, System.Globalization.CultureInfo.InvariantCulture);
                    if (m.Groups["outcome"].Value is "Accepted" or "Duplicate")
                    {
                        acknowledged++;
                        Assert.Equal((TaskState.Succeeded, attempt), (task.State, task.Attempt));
                    }
                    else
                    {
                        Assert.NotEqual(attempt, task.Attempt);
                    }
                }
            }

            Assert.All(onA, i => Assert.Contains(agentA.Lines, l => l == $"report {id}/{i} attempt 1: Stale"));
            Log($"{acknowledged} acknowledged reports checked against the final state; {onA.Count} late reports refused");
        }
        finally
        {
            // Opening the gate also ends the gates of agents that were killed: their executors outlive them.
            await File.WriteAllTextAsync(gate, "open", CancellationToken.None);
            foreach (var p in processes)
            {
                await p.DisposeAsync();
            }

            Directory.Delete(data, recursive: true);
        }
    }

    private static IEnumerable<TaskSnapshot> Gated(WorkflowSnapshot s) => s.Tasks.Where(t => t.Name.StartsWith("gate", StringComparison.Ordinal));

    private static string Workflow(string gate)
    {
        var code = $"import os, time\\ndef main(inputs):\\n    while not os.path.exists('{gate}'):\\n        time.sleep(0.1)\\n    return {{'opened': True}}\\n";
        var yaml = new StringBuilder("apiVersion: flowmesh/v1\nkind: Workflow\nmetadata: {name: thousand}\nspec:\n  stages:\n");
        yaml.Append("    - name: root\n      spec: {taskType: echo, data: {type: list, items: [go]}}\n");
        for (var i = 0; i < 496; i++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"    - name: first{i}\n      dependsOn: [root]\n      spec: {{taskType: echo, data: {{type: list, items: [a{i}]}}}}\n");
        }

        for (var g = 0; g < Gates; g++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"    - name: gate{g}\n      dependsOn: [root]\n      spec: {{taskType: python, code: \"{code}\"}}\n");
        }

        for (var i = 0; i < 494; i++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"    - name: second{i}\n      dependsOn: [gate{i % Gates}, first{i}]\n      spec: {{taskType: echo, data: {{type: list, items: [b{i}]}}}}\n");
        }

        yaml.Append("    - name: sink\n      dependsOn: [").Append(string.Join(", ", Enumerable.Range(0, 494).Select(i => $"second{i}"))).Append("]\n");
        yaml.Append("      spec: {taskType: echo, data: {type: list, items: [done]}}\n");
        return yaml.ToString();
    }

    /// <summary>Polls the workflow until <paramref name="done"/> holds: across kills, a call may fail while the cluster heals.</summary>
    private async Task<WorkflowSnapshot> EventuallyAsync(FlowMeshRuntimeClient client, string id, Func<WorkflowSnapshot, bool> done, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                using var call = CancellationTokenSource.CreateLinkedTokenSource(ct);
                call.CancelAfter(TimeSpan.FromSeconds(10));
                if (await client.GetAsync(id, call.Token) is { } s && done(s))
                {
                    return s;
                }
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                Log($"poll failed while the cluster heals: {ex.GetType().Name}");
            }

            await Task.Delay(200, ct);
        }
    }

    private static async Task<List<WorkflowEvent>> AllEventsAsync(IHost host, string id, CancellationToken ct)
    {
        var grain = host.Services.GetRequiredService<IClusterClient>().GetGrain<IWorkflowGrain>(id);
        var all = new List<WorkflowEvent>();
        while (true)
        {
            var page = await grain.ReadEventsAsync(all.Count == 0 ? 0 : all[^1].Seq, 5000).WaitAsync(ct);
            all.AddRange(page);
            if (page.Length < 5000)
            {
                return all;
            }
        }
    }

    private void Log(string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // Output after the test ended (a process still writing) has nowhere to go.
        }
    }

    [GeneratedRegex(@"^report (?<wf>[^/]+)/(?<index>\d+) attempt (?<attempt>\d+): (?<outcome>\w+)$")]
    private static partial Regex ReportLine();
}
