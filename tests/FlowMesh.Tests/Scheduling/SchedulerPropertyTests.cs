using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Scheduling;
using FlowMesh.Abstractions;
using FlowMesh.Tests.Support;
using FlowMesh.Workflows;

namespace FlowMesh.Tests.Scheduling;

/// <summary>Properties of the real scheduler over long synthetic traces on synthetic clusters.</summary>
[Trait("Category", "Unit")]
public sealed class SchedulerPropertyTests
{
    private static readonly string[] GpuTypes = ["any", "nvidia-h100", "nvidia-a100", "nvidia-l4"];

    [Theory]
    [InlineData(PlacementPolicy.BestFit)]
    [InlineData(PlacementPolicy.Spread)]
    [InlineData(PlacementPolicy.BinPack)]
    public void Schedule_RandomClustersAndTraces_NeverOverCommitsANodeAndRunsEverythingThatFits(PlacementPolicy policy)
    {
        for (var seed = 1; seed <= 6; seed++)
        {
            var random = new Random(seed);
            var nodes = Enumerable.Range(0, random.Next(1, 7)).Select(i => SimulatedCluster.Node($"n{i}", random.Next(2, 65), random.Next(4, 257), random.Next(1, 17),
                gpus: random.Next(0, 3) == 0 ? 0 : random.Next(1, 9), gpuName: random.Next(2) == 0 ? "NVIDIA H100 80GB HBM3" : "NVIDIA A100-SXM4-80GB",
                labels: new Dictionary<string, string> { ["zone"] = random.Next(2) == 0 ? "a" : "b" })).ToList();
            var sim = new SimulatedCluster(new SchedulerOptions { Policy = policy, AgingInterval = TimeSpan.FromSeconds(2), StarvationAfter = TimeSpan.FromSeconds(60) }, nodes);
            var tasks = new List<TaskActor>();
            for (var step = 0; step < 1500; step++)
            {
                for (var k = random.Next(0, 3); k > 0; k--)
                {
                    var gpus = random.Next(0, 3) == 0 ? random.Next(1, 5) : 0;
                    var resources = new ResourceRequest(random.Next(0, 9) * 500, random.Next(0, 33) * (1L << 30), gpus > 0 ? new GpuRequest(GpuTypes[random.Next(GpuTypes.Length)], gpus, 0) : null);
                    var selector = random.Next(5) == 0 ? new Dictionary<string, string> { ["zone"] = random.Next(2) == 0 ? "a" : "b" } : null;
                    tasks.Add(sim.Submit($"tenant{random.Next(3)}", resources, TimeSpan.FromSeconds(random.Next(1, 40)), random.Next(-100, 101), selector));
                }

                sim.Step();
            }

            for (var step = 0; step < 20000 && (step % 100 != 0 || tasks.Any(t => !t.IsTerminal)); step++)
            {
                sim.Step();
            }

            Assert.True(sim.Placements > 500, $"seed {seed}: only {sim.Placements} placements");
            var stuck = tasks.Where(t => !t.IsTerminal).ToList();
            Assert.True(stuck.Count == 0, $"seed {seed}: {stuck.Count} tasks never finished, e.g. {stuck.FirstOrDefault()?.Waiting}");

            // What was turned away could truly not run on any node of the cluster.
            foreach (var (t, why) in sim.Rejected)
            {
                Assert.All(nodes, n => Assert.False(n.NeverFits(t.TaskType, t.Resources) is null && t.Placement.Mismatch(n.Capacity.Labels) is null, $"{t.Name} was turned away ({why}) but fits {n.Id}"));
            }
        }
    }

    [Fact]
    public void Schedule_TwoEqualTenantsCompetingForGpus_EachGetsWithinTenPercentOfHalf()
    {
        var random = new Random(7);
        var nodes = Enumerable.Range(0, 4).Select(i => SimulatedCluster.Node($"g{i}", 64, 512, 16, gpus: 8)).ToList();
        var sim = new SimulatedCluster(new SchedulerOptions(), nodes);

        // Tenant a floods one-GPU tasks; tenant b sends fewer, larger ones. Both always have work waiting.
        for (var step = 0; step < 20000; step++)
        {
            while (sim.Queued("a") < 60)
            {
                sim.Submit("a", new ResourceRequest(1000, 8L << 30, new GpuRequest("any", 1, 0)), TimeSpan.FromSeconds(random.Next(5, 60)));
            }

            while (sim.Queued("b") < 10)
            {
                sim.Submit("b", new ResourceRequest(4000, 32L << 30, new GpuRequest("nvidia-h100", 4, 0)), TimeSpan.FromSeconds(random.Next(20, 120)));
            }

            sim.Step();
        }

        var total = sim.GpuSeconds["a"] + sim.GpuSeconds["b"];
        Assert.True(total > 0.9 * 32 * 20000, $"the cluster idled: {total} of {32 * 20000} GPU-seconds used");
        Assert.InRange(sim.GpuSeconds["a"] / total, 0.45, 0.55);
        Assert.InRange(sim.GpuSeconds["b"] / total, 0.45, 0.55);
    }

    [Fact]
    public void Schedule_TenantWeightedThreeToOne_GetsThreeQuartersOfTheGpus()
    {
        var random = new Random(11);
        var sim = new SimulatedCluster(new SchedulerOptions(), Enumerable.Range(0, 2).Select(i => SimulatedCluster.Node($"g{i}", 64, 512, 16, gpus: 8)));
        sim.Weigh("gold", 3);
        for (var step = 0; step < 20000; step++)
        {
            foreach (var tenant in new[] { "gold", "bronze" })
            {
                while (sim.Queued(tenant) < 30)
                {
                    sim.Submit(tenant, new ResourceRequest(1000, 1L << 30, new GpuRequest("any", 1, 0)), TimeSpan.FromSeconds(random.Next(5, 60)));
                }
            }

            sim.Step();
        }

        var share = sim.GpuSeconds["gold"] / (sim.GpuSeconds["gold"] + sim.GpuSeconds["bronze"]);
        Assert.InRange(share, 0.70, 0.80);
    }

    [Fact]
    public void Schedule_LowPriorityTaskUnderConstantHighPriorityLoad_RunsWithinTheAgingBound()
    {
        var aging = TimeSpan.FromSeconds(1);
        var sim = new SimulatedCluster(new SchedulerOptions { AgingInterval = aging }, [SimulatedCluster.Node("n0", 16, 64, 4)]);
        TaskActor? low = null;
        var submitted = sim.Now;
        for (var step = 0; step < 2000; step++)
        {
            // High-priority work keeps the node busy and 20 tasks always waiting.
            while (sim.Queued("t") < 20)
            {
                sim.Submit("t", new ResourceRequest(1000, 1L << 30, null), TimeSpan.FromSeconds(8), priority: 100);
            }

            if (step == 100)
            {
                submitted = sim.Now;
                low = sim.Submit("t", new ResourceRequest(1000, 1L << 30, null), TimeSpan.FromSeconds(8), priority: -100);
            }

            sim.Step();
        }

        Assert.True(sim.Started.TryGetValue(low!, out var started), "the low-priority task never ran");
        var waited = (started - submitted).TotalSeconds;

        // High-priority work that became ready up to 200 aging intervals after it runs first (the node runs 0.5 tasks
        // a second, so about 100 tasks, plus the 20 already waiting); anything later ranks behind it.
        Assert.InRange(waited, 150, (200 * aging.TotalSeconds) + 50);
    }

    [Fact]
    public void Schedule_LowPriorityTaskOfAnotherTenant_RunsAtOnceDespiteTheFlood()
    {
        var sim = new SimulatedCluster(new SchedulerOptions(), [SimulatedCluster.Node("n0", 16, 64, 4)]);
        TaskActor? other = null;
        for (var step = 0; step < 300; step++)
        {
            sim.Submit("busy", new ResourceRequest(1000, 1L << 30, null), TimeSpan.FromSeconds(8), priority: 100);
            if (step == 100)
            {
                other = sim.Submit("quiet", new ResourceRequest(1000, 1L << 30, null), TimeSpan.FromSeconds(8), priority: -100);
            }

            sim.Step();
        }

        // Fair share: the quiet tenant holds nothing, so its task is next as soon as a slot frees.
        Assert.InRange((sim.Started[other!] - new DateTimeOffset(2026, 1, 1, 0, 1, 40, TimeSpan.Zero)).TotalSeconds, 0, 8);
    }

    [Fact]
    public void Schedule_LargeTaskAmongAStreamOfSmallOnes_HoldsNodesOnceStarvingAndRuns()
    {
        var starvation = TimeSpan.FromSeconds(60);
        var sim = new SimulatedCluster(new SchedulerOptions { StarvationAfter = starvation }, [SimulatedCluster.Node("g0", 64, 512, 16, gpus: 8)]);
        TaskActor? big = null;
        for (var step = 0; step < 1000; step++)
        {
            while (sim.Queued("t") < 20)
            {
                sim.Submit("t", new ResourceRequest(1000, 1L << 30, new GpuRequest("any", 1, 0)), TimeSpan.FromSeconds(30));
            }

            if (step == 50)
            {
                big = sim.Submit("t", new ResourceRequest(1000, 1L << 30, new GpuRequest("any", 8, 0)), TimeSpan.FromSeconds(30), priority: 0);
            }

            sim.Step();
        }

        Assert.True(sim.Started.TryGetValue(big!, out var started), "the 8-GPU task starved");
        var waited = (started - new DateTimeOffset(2026, 1, 1, 0, 0, 50, TimeSpan.Zero)).TotalSeconds;
        // Once it has starved, it holds the node: the 20 older tasks ahead of it (8 GPUs, 30 s each: about 75 s) run,
        // nothing newer starts, and it starts when the last of them ends. Without the hold it would never find 8 free GPUs.
        Assert.InRange(waited, starvation.TotalSeconds, starvation.TotalSeconds + 75 + 30 + 15);
    }

    [Fact]
    public void Rank_TaskThatFailedOnANode_PrefersAnotherAndAWarmModel()
    {
        var a = SimulatedCluster.Node("a", 8, 32, 4);
        var b = SimulatedCluster.Node("b", 8, 32, 4);
        var warm = new NodeActor("c", b.Capacity with { WarmModels = ["m1"] });
        var scheduler = new Scheduler(new SchedulerOptions());
        var spec = new System.Text.Json.Nodes.JsonObject { ["model"] = new System.Text.Json.Nodes.JsonObject { ["source"] = new System.Text.Json.Nodes.JsonObject { ["identifier"] = "m1" } } };
        var t = new TaskActor(0, "x", "echo", spec, [], ResourceRequest.None, null);
        Assert.Equal("c", scheduler.Rank([a, b, warm], t).First().Id);
        t.FailedOn = ["c"];
        Assert.Equal("a", scheduler.Rank([a, b, warm], t).First().Id);
    }

    [Fact]
    public void Rank_ModelInOneNodesDiskCache_PrefersItAfterAWarmOne()
    {
        using var hub = new TempDir();
        Directory.CreateDirectory(Path.Combine(hub.Path, "models--org--m1", "snapshots", "abc123"));
        Directory.CreateDirectory(Path.Combine(hub.Path, "models--org--empty", "snapshots"));
        var cached = FlowMesh.Engine.Agent.MachineInfo.CachedModels(hub.Path);
        Assert.Equal(["org/m1"], cached);

        var plain = SimulatedCluster.Node("a", 8, 32, 4);
        var onDisk = new NodeActor("b", plain.Capacity with { CachedModels = cached });
        var warm = new NodeActor("c", plain.Capacity with { WarmModels = ["org/m1"] });
        var spec = new System.Text.Json.Nodes.JsonObject { ["model"] = new System.Text.Json.Nodes.JsonObject { ["source"] = new System.Text.Json.Nodes.JsonObject { ["identifier"] = "org/m1" } } };
        var t = new TaskActor(0, "x", "echo", spec, [], ResourceRequest.None, null);
        var scheduler = new Scheduler(new SchedulerOptions());
        Assert.Equal(["c", "b", "a"], scheduler.Rank([plain, onDisk, warm], t).Select(n => n.Id));
        Assert.Empty(FlowMesh.Engine.Agent.MachineInfo.CachedModels(Path.Combine(hub.Path, "missing")));
    }

    [Theory]
    [InlineData(PlacementPolicy.BestFit, "small")]
    [InlineData(PlacementPolicy.Spread, "big")]
    [InlineData(PlacementPolicy.BinPack, "busy")]
    public void Rank_ByPolicy_ChoosesTheExpectedNode(PlacementPolicy policy, string expected)
    {
        var small = SimulatedCluster.Node("small", 4, 16, 4);
        var big = SimulatedCluster.Node("big", 64, 256, 16);
        var busy = SimulatedCluster.Node("busy", 64, 256, 16);
        Assert.True(busy.TryReserve(new ResourceRequest(48000, 200L << 30, null), out _));
        var t = new TaskActor(0, "x", "echo", [], [], new ResourceRequest(2000, 4L << 30, null), null);
        Assert.Equal(expected, new Scheduler(new SchedulerOptions { Policy = policy }).Rank([small, big, busy], t).First().Id);
    }

    [Fact]
    public void Schedule_TaskWhoseSelectorNoNodeHas_IsTurnedAwayWithTheReason()
    {
        var sim = new SimulatedCluster(new SchedulerOptions(), [SimulatedCluster.Node("n0", 8, 32, 4, labels: new Dictionary<string, string> { ["zone"] = "a" })]);
        var t = sim.Submit("t", ResourceRequest.None, TimeSpan.FromSeconds(1), selector: new Dictionary<string, string> { ["zone"] = "b" });
        var fits = sim.Submit("t", ResourceRequest.None, TimeSpan.FromSeconds(1), selector: new Dictionary<string, string> { ["zone"] = "a" });
        sim.Step();
        Assert.Equal(TaskState.Failed, t.State);
        Assert.Contains("has label zone=a, not b", sim.Rejected[t], StringComparison.Ordinal);
        Assert.Equal(TaskState.Running, fits.State);
    }
}
