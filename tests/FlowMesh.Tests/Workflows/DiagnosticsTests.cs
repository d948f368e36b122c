using FlowMesh.Workflows;

namespace FlowMesh.Tests.Workflows;

[Trait("Category", "Unit")]
public sealed class DiagnosticsTests
{
    private const string Graph = """
        apiVersion: flowmesh/v1
        kind: Workflow
        metadata:
          name: broken
        spec:
          graph:
            nodes:
              - name: a
                dependsOn: [c]
                spec:
                  taskType: echo
                  data: {type: list, items: [x]}
              - name: b
                dependsOn: [a]
                spec: {taskType: echo, data: {type: list, items: [y]}}
              - name: c
                dependsOn: [b]
                spec: {taskType: echo, data: {type: list, items: [z]}}
        """;

    [Fact]
    public void Parse_Cycle_ReportsThePathWithFileAndLine()
    {
        var result = WorkflowParser.Parse(Graph, "cycle.yaml");
        var d = Assert.Single(result.Diagnostics);
        Assert.Contains("dependency cycle: a -> b -> c -> a", d.Message);
        Assert.Equal("cycle.yaml", d.File);
        Assert.Equal(9, d.Mark.Line);
        Assert.StartsWith("cycle.yaml:9:21:", d.ToString());
    }

    [Fact]
    public void Parse_UnknownTaskType_ListsTheAllowedTypes()
    {
        var result = WorkflowParser.Parse("spec:\n  taskType: ech\n  data: {type: list, items: [x]}\n", "t.yaml");
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("spec.taskType", d.FieldPath);
        Assert.Equal((2, 13), (d.Mark.Line, d.Mark.Column));
        Assert.Contains("echo", d.Expected);
        Assert.Contains("inference", d.Expected);
        Assert.Equal("'ech'", d.Found);
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsAllOfThem()
    {
        const string text = """
            metadata: {name: x, colour: red}
            spec:
              stages:
                - name: one
                  spec:
                    taskType: python
                    code: ""
                    resources: {hardware: {memory: 12 potatoes, gpu: {count: many}}}
                - name: one
                  dependsOn: [nowhere]
                  spec: {taskType: echo, data: {type: list, items: [1]}, bogus: true}
            """;
        var result = WorkflowParser.Parse(text, "many.yaml");
        var messages = result.Diagnostics.Select(d => $"{d.Mark.Line} {d.FieldPath}: {d.Message}").ToList();
        Assert.Contains(messages, m => m.StartsWith("1 metadata.colour", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("duplicate task name 'one'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("unknown dependency 'nowhere'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("7 spec.stages[0].spec.code", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("8 spec.stages[0].spec.resources.hardware.memory", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("8 spec.stages[0].spec.resources.hardware.gpu.count", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("spec.stages[1].spec.data.items[0]", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("unknown field 'bogus' for taskType echo", StringComparison.Ordinal));
        Assert.False(result.Success);
    }

    [Fact]
    public void Parse_SelfEdgeAndConditionOutsideDependsOn_AreRejected()
    {
        const string text = """
            spec:
              graph:
                nodes:
                  - name: a
                    dependsOn: [a]
                    spec: {taskType: echo, data: {type: list, items: [x]}}
                  - name: b
                    spec:
                      taskType: echo
                      condition: {node: a, field: items.0.output, equals: x}
                      data: {type: list, items: [{node: a, path: "items[0].output"}]}
            """;
        var messages = WorkflowParser.Parse(text, "s.yaml").Diagnostics.Select(d => d.Message).ToList();
        Assert.Contains("task 'a' depends on itself", messages);
        Assert.Contains(messages, m => m.Contains("condition.node 'a' must appear in dependsOn", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("not upstream of 'b'", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_MalformedJson_NamesLineAndColumn()
    {
        var d = Assert.Single(WorkflowParser.Parse("{\n  \"spec\": {\"taskType\": \"echo\",, }\n}", "bad.json").Diagnostics);
        Assert.Equal(2, d.Mark.Line);
        Assert.StartsWith("malformed JSON", d.Message);
    }

    [Fact]
    public void Parse_StagesWithoutDependsOn_AreSequential()
    {
        const string text = """
            spec:
              taskType: echo
              data: {type: list, items: [shared]}
              stages:
                - name: s1
                - name: s2
                - spec: {data: {type: list, items: [own]}}
            """;
        var wf = WorkflowParser.Parse(text, "seq.yaml").Workflow!;
        Assert.Equal(["s1", "s2", "stage-3"], wf.Tasks.Select(t => t.Name));
        Assert.Equal(["s2"], wf.Tasks[2].DependsOn);
        Assert.Equal("shared", wf.Tasks[0].Spec["data"]!["items"]![0]!.GetValue<string>());
        Assert.Equal("own", wf.Tasks[2].Spec["data"]!["items"]![0]!.GetValue<string>());
    }

    [Fact]
    public void Parse_HardwareQuantities_AreUnderstood()
    {
        var wf = WorkflowParser.Parse("spec: {taskType: echo, data: {type: list, items: [x]}, resources: {hardware: {cpu: \"500m\", memory: 2GiB, gpu: {type: nvidia-a100, count: 2, memory: 24Gi}}}}", "q.yaml").Workflow!;
        var r = wf.Tasks[0].Resources;
        Assert.Equal(500, r.CpuMillis);
        Assert.Equal(2L << 30, r.MemoryBytes);
        Assert.Equal(new GpuRequest("nvidia-a100", 2, 24L << 30), r.Gpu);
    }
}
