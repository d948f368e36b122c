using System.Globalization;
using FlowMesh.Abstractions;
using FlowMesh.Runtime.Client;
using FlowMesh.Runtime.Hosting;
using FlowMesh.Runtime.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FlowMesh.Runtime.Tests.Runtime;

/// <summary>
/// The embedded silo (one process, SQLite under the data directory) killed with kill -9 mid-workflow and started
/// again on the same directory: nothing acknowledged is lost, and every task ends exactly once.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EmbeddedProcessTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("fsync")]
    [InlineData("process")]
    public async Task EmbeddedSilo_KilledMidRunAndRestarted_FinishesWithEveryTaskEndedOnce(string durability)
    {
        var ct = Timeouts.Scenario(240);
        var data = Directory.CreateTempSubdirectory("flowmesh-embedded-").FullName;
        var gateway = Ports.FreeLoopback();
        string[] args = ["cluster", "silo", "--data-dir", data, "--durability", durability, "--gateway-port", gateway.ToString(CultureInfo.InvariantCulture), "--slots", "4", "--lease-seconds", "2"];
        var first = new FlowMeshProcess("silo", args, Log);
        FlowMeshProcess? second = null;
        try
        {
            await first.WaitForLineAsync(l => l.Contains(" up: gateway", StringComparison.Ordinal), ct);
            string id;
            var seenBefore = new List<WorkflowEvent>();
            using (var host = FlowMeshClientHost.Build(null, gateway))
            {
                await host.StartAsync(ct);
                var client = new FlowMeshRuntimeClient(host.Services.GetRequiredService<IClusterClient>(), TimeProvider.System);
                id = (await client.SubmitAsync(RuntimeCluster.Parse(FailureTests.FanOutOf(24, "import time\ndef main(inputs):\n    time.sleep(0.3)\n    return {'ok': True}\n")), "default", "test", ct)).Id;
                await foreach (var e in client.WatchAsync(id, 0, ct))
                {
                    seenBefore.Add(e);
                    if (seenBefore.Count(x => x.Kind == EventKinds.TaskState && Events.Field(x, "state") == "Succeeded") >= 6)
                    {
                        break;
                    }
                }

                await first.KillAsync();
            }

            second = new FlowMeshProcess("silo-again", args, Log);
            await second.WaitForLineAsync(l => l.Contains(" up: gateway", StringComparison.Ordinal), ct);
            using var again = FlowMeshClientHost.Build(null, gateway);
            await again.StartAsync(ct);
            var resumed = new FlowMeshRuntimeClient(again.Services.GetRequiredService<IClusterClient>(), TimeProvider.System);
            var events = new List<WorkflowEvent>();
            await foreach (var e in resumed.WatchAsync(id, 0, ct))
            {
                events.Add(e);
            }

            Events.AssertGapFree(events);
            Assert.Equal(seenBefore, events.Take(seenBefore.Count));
            Assert.Equal("Succeeded", Events.Field(events[^1], "state"));
            var states = Events.TaskStates(events);
            Assert.Equal(26, states.Count);
            Assert.All(states, kv => Assert.True(Events.Terminals(kv.Value) == 1, $"{kv.Key}: {string.Join(" ", kv.Value)}"));
        }
        finally
        {
            await first.DisposeAsync();
            if (second is not null)
            {
                await second.DisposeAsync();
            }

            Directory.Delete(data, recursive: true);
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
        }
    }
}
