using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using FlowMesh.Workflows;

namespace FlowMesh.Bench;

/// <summary>
/// Micro-benchmarks of the submission path, where a large workflow spends its time before the engine sees it: parsing,
/// expanding and checking the DAG. In process (no generated project to build), a short job.
/// </summary>
[MemoryDiagnoser]
public class Micro
{
    private string _fanout = string.Empty;
    private string _chain = string.Empty;

    public static void Run()
    {
        var config = ManualConfig.CreateMinimumViable().AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
        BenchmarkRunner.Run<Micro>(config);
    }

    [GlobalSetup]
    public void Setup()
    {
        _fanout = Workload.Fanout(10_000).Workflows[0];
        _chain = Workload.Chain(1000).Workflows[0];
    }

    [Benchmark]
    public WorkflowDefinition? ParseFanout10000() => WorkflowParser.Parse(_fanout, "bench.json").Workflow;

    [Benchmark]
    public WorkflowDefinition? ParseChain1000() => WorkflowParser.Parse(_chain, "bench.json").Workflow;
}
