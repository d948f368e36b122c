using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Server;

/// <summary>Traces over OTLP to a collector of the test's own, /metrics scraped and parsed, and <c>flowmesh trace</c>.</summary>
[Trait("Category", "Integration")]
public sealed partial class TelemetryTests(ITestOutputHelper output)
{
    private const string Chain = """
        apiVersion: flowmesh/v1
        kind: Workflow
        metadata: {name: traced}
        spec:
          graph:
            nodes:
              - name: first
                spec: {taskType: echo, data: {type: list, items: [a]}}
              - name: second
                dependsOn: [first]
                spec:
                  taskType: python
                  code: |
                    import os
                    def main(inputs):
                        return {"traceparent": os.environ.get("TRACEPARENT")}
              - name: third
                dependsOn: [second]
                spec: {taskType: echo, data: {type: list, items: [c]}}
        """;

    [Fact]
    public async Task Otlp_FinishedWorkflow_CollectorGetsOneTraceWithASpanPerTaskUnderTheWorkflow()
    {
        await using var collector = new OtlpCollector();
        using var dir = new TempDir();
        await using var server = await ServerProcess.StartAsync(Path.Combine(dir.Path, "data"), new Dictionary<string, string> { ["OTEL_METRIC_EXPORT_INTERVAL"] = "300" },
            "--otlp-endpoint", collector.Endpoint.ToString());
        using var admin = server.Client(server.AdminToken);
        var submitted = await admin.SubmitAsync(Chain);
        await foreach (var _ in admin.WatchAsync(submitted.WorkflowId))
        {
        }

        var spans = await collector.WaitForAsync(s => s.Count(x => Equals(x.Attributes.GetValueOrDefault("flowmesh.workflow.id"), submitted.WorkflowId)) >= 4, TimeSpan.FromSeconds(30));
        var mine = spans.Where(s => Equals(s.Attributes.GetValueOrDefault("flowmesh.workflow.id"), submitted.WorkflowId)).ToList();
        var root = Assert.Single(mine, s => s.Name == "workflow traced");
        Assert.Equal(string.Empty, root.ParentSpanId);
        Assert.Equal("Succeeded", root.Attributes["flowmesh.workflow.state"]);
        var tasks = mine.Where(s => s.Name.StartsWith("task ", StringComparison.Ordinal)).OrderBy(s => s.StartNanos).ToList();
        Assert.Equal(["task first", "task second", "task third"], tasks.Select(s => s.Name));
        Assert.All(tasks, s =>
        {
            Assert.Equal(root.TraceId, s.TraceId);
            Assert.Equal(root.SpanId, s.ParentSpanId);
            Assert.Equal("Succeeded", s.Attributes["flowmesh.task.state"]);
            Assert.True(s.Attributes["flowmesh.task.queue_ms"] is double q && q >= 0, "queue time recorded");
            Assert.True(s.Attributes["flowmesh.task.run_ms"] is double r && r >= 0, "run time recorded");
            Assert.InRange(s.StartNanos, root.StartNanos, root.EndNanos);
            Assert.InRange(s.EndNanos, s.StartNanos, root.EndNanos);
        });

        // The python task saw its own attempt's span as TRACEPARENT, so user code joins this trace under that task.
        var result = await admin.GetResultAsync(submitted.WorkflowId, "second");
        var traceParent = result.GetProperty("result").GetProperty("value").GetProperty("traceparent").GetString();
        Assert.Equal($"00-{root.TraceId}-{tasks[1].SpanId}-01", traceParent);

        // Metrics go to the same collector on their own interval.
        await collector.WaitForAsync((_, metricExports) => metricExports > 0, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Metrics_AfterWorkflows_PrometheusTextParsesWithTaskStatesLatencyAndNodes()
    {
        using var dir = new TempDir();
        await using var server = await ServerProcess.StartAsync(Path.Combine(dir.Path, "data"));
        using var admin = server.Client(server.AdminToken);
        var submitted = await admin.SubmitAsync(Workflows.Echo("metered", "a", "b", "c"));
        await foreach (var _ in admin.WatchAsync(submitted.WorkflowId))
        {
        }

        var tasks = (await admin.GetTasksAsync(submitted.WorkflowId)).Count;
        using var http = server.Http();
        var text = await http.GetStringAsync("/metrics");
        var samples = Parse(text);
        Assert.True(samples[("flowmesh_task_transitions_total", "state=\"Succeeded\"")] >= tasks, text);
        Assert.Equal(0, samples[("flowmesh_tasks_active", "state=\"Running\"")]);
        Assert.Equal(0, samples[("flowmesh_queue_depth", "tenant=\"default\"")]);
        Assert.True(samples[("flowmesh_task_dispatch_latency_seconds_count", "tenant=\"default\"")] >= tasks);

        // Histogram buckets are cumulative and end at +Inf with the count.
        var buckets = samples.Where(kv => kv.Key.Name == "flowmesh_task_dispatch_latency_seconds_bucket").Select(kv => kv.Value).ToList();
        Assert.True(buckets.Count > 2);
        Assert.Equal(buckets.Order(), buckets);
        Assert.Equal(samples[("flowmesh_task_dispatch_latency_seconds_count", "tenant=\"default\"")],
            samples[("flowmesh_task_dispatch_latency_seconds_bucket", "tenant=\"default\",le=\"+Inf\"")]);
        var node = samples.Keys.First(k => k.Name == "flowmesh_node_capacity" && k.Labels.Contains("resource=\"slots\"", StringComparison.Ordinal));
        Assert.True(samples[node] >= 1);
        Assert.Equal(0, samples[("flowmesh_node_used", node.Labels)]);
        Assert.True(samples[("flowmesh_workflows", "state=\"Succeeded\"")] >= 1);

        // flowmesh trace: the critical path of the finished workflow, with queue and run time per task.
        var (code, stdout, stderr) = await server.CliAsync(dir.Path, "trace", submitted.WorkflowId, "-o", "json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var path = json.RootElement.GetProperty("criticalPath");
        Assert.True(path.GetArrayLength() >= 1);
        Assert.All(path.EnumerateArray(), step => Assert.True(step.GetProperty("runMs").GetDouble() >= 0));
        output.WriteLine(stdout);
    }

    /// <summary>
    /// Parses Prometheus text format strictly: every line is a HELP or TYPE comment or a sample of a declared family,
    /// and no series appears twice. Returns each sample by name and label set.
    /// </summary>
    private static Dictionary<(string Name, string Labels), double> Parse(string text)
    {
        var samples = new Dictionary<(string, string), double>();
        var families = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                continue;
            }

            if (TypeLine().Match(line) is { Success: true } type)
            {
                Assert.True(families.Add(type.Groups[1].Value), $"family declared twice: {line}");
                continue;
            }

            var sample = SampleLine().Match(line);
            Assert.True(sample.Success, $"not a Prometheus sample: {line}");
            var name = sample.Groups[1].Value;
            Assert.Contains(families, f => name == f || name == f + "_bucket" || name == f + "_sum" || name == f + "_count");
            var value = sample.Groups[3].Value == "+Inf" ? double.PositiveInfinity : double.Parse(sample.Groups[3].Value, CultureInfo.InvariantCulture);
            Assert.True(samples.TryAdd((name, sample.Groups[2].Value), value), $"series twice: {line}");
        }

        return samples;
    }

    [GeneratedRegex(@"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\]|\\.)*"",?)*)\})? (\S+)$")]
    private static partial Regex SampleLine();
}
