using FlowMesh.Workflows;

namespace FlowMesh.Tests.Workflows;

/// <summary>The scheduling and control fields of a task spec: accepted when right, refused with file, line and field when wrong.</summary>
[Trait("Category", "Unit")]
public sealed class SchedulingFieldsTests
{
    [Fact]
    public void Parse_AllControlFieldsWellFormed_AcceptedAndRootDefaultsReachEveryTask()
    {
        var parsed = WorkflowParser.Parse("""
            spec:
              priority: 7
              secrets: {API_TOKEN: api-token}
              graph:
                nodes:
                  - name: a
                    spec:
                      taskType: python
                      priority: -3
                      nodeSelector: {zone: eu-1, nvlink: true}
                      cache: {ttlSeconds: 3600}
                      code: "def main(inputs):\n    return [1, 2]\n"
                      fallback: {taskType: echo, data: {type: list, items: [none]}}
                  - name: b
                    dependsOn: [a]
                    spec: {taskType: echo, cache: true, map: {items: "${a.value}"}, data: {type: list, items: ["{{item}}"]}}
            """, "ok.yaml");
        Assert.True(parsed.Success, string.Join("\n", parsed.Diagnostics));
        var tasks = parsed.Workflow!.Tasks;
        Assert.Equal(-3, tasks[0].Spec["priority"]!.GetValue<long>());
        Assert.Equal(7, tasks[1].Spec["priority"]!.GetValue<long>());
        Assert.Equal("api-token", tasks[1].Spec["secrets"]!["API_TOKEN"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("priority: 101", "spec.priority: priority must be a whole number in [-100, 100]")]
    [InlineData("priority: 1.5", "spec.priority: priority must be a whole number in [-100, 100]")]
    [InlineData("nodeSelector: [a]", "spec.nodeSelector")]
    [InlineData("secrets: {1BAD: x}", "spec.secrets.1BAD: a secrets key is the environment variable to set")]
    [InlineData("secrets: {GOOD: 'no spaces'}", "spec.secrets.GOOD: a secrets value is the name of a secret of your tenant")]
    [InlineData("cache: 5", "spec.cache: cache is true, false or {ttlSeconds: N}")]
    [InlineData("cache: {ttlSeconds: 0}", "spec.cache.ttlSeconds")]
    [InlineData("map: {items: 3}", "spec.map.items: map.items must be a list")]
    [InlineData("map: {}", "spec.map.items: map needs 'items'")]
    [InlineData("fallback: {taskType: approval}", "spec.fallback.taskType: a fallback cannot be taskType 'approval'")]
    public void Parse_BadControlField_NamesFileLineAndField(string field, string expected)
    {
        var parsed = WorkflowParser.Parse($$"""
            spec:
              graph:
                nodes:
                  - name: a
                    spec:
                      taskType: echo
                      data: {type: list, items: [x]}
                      {{field}}
            """, "bad.yaml");
        Assert.False(parsed.Success);
        var d = Assert.Single(parsed.Diagnostics, d => d.ToString().Contains(expected, StringComparison.Ordinal));
        Assert.Equal("bad.yaml", d.File);
        Assert.Equal(8, d.Mark.Line);
    }
}
