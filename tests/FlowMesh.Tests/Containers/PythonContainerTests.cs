using System.Text.Json.Nodes;
using FlowMesh.Engine.Containers;
using FlowMesh.Engine.Executors;
using FlowMesh.Abstractions;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Containers;

/// <summary>
/// A python task with an <c>image</c> runs inside a container with its upstream results mounted as inputs. The test
/// image is busybox; the node lends it the host's python3 through <see cref="ContainerOptions.ExtraBinds"/>.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PythonContainerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Run_PythonWithImage_RunsInTheContainerWithUpstreamResultsAsInputs()
    {
        if (!ContainerRuntime.Available(output))
        {
            return;
        }

        // The system interpreter (a shim on PATH, such as pyenv's, cannot be lent to a container); .ci/run installs it.
        Assert.True(File.Exists("/usr/bin/python3"), "the test lends the container /usr/bin/python3, which is missing");
        var python = new FileInfo("/usr/bin/python3").ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? "/usr/bin/python3";
        var version = Path.GetFileName(python);
        using var docker = new DockerClient(ContainerRuntime.Socket!);
        var containers = new ContainerOptions { NodeLabel = "python-test", DefaultNetwork = "none" };
        foreach (var bind in new[] { $"{python}:/bin/python3:ro", $"/usr/lib/{version}:/usr/lib/{version}:ro", "/usr/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:ro", "/usr/lib64:/usr/lib64:ro" })
        {
            containers.ExtraBinds.Add(bind);
        }

        await using var harness = await EngineHarness.StartAsync([new EchoExecutor(), new PythonExecutor("python3-not-used", new ContainerExecutor("python", docker, containers))]);

        var (state, tasks) = await harness.RunAsync($$"""
            apiVersion: flowmesh/v1
            kind: Workflow
            metadata: {name: python-in-container}
            spec:
              stages:
                - name: words
                  spec:
                    taskType: echo
                    data: {type: list, items: [alpha, beta]}
                - name: count
                  spec:
                    taskType: python
                    image: {{ContainerRuntime.Image}}
                    code: |
                      import json, os, pathlib
                      def main(inputs):
                          upstream = json.loads(pathlib.Path(inputs["words"], "results.json").read_text())
                          print("inside", os.path.exists("/run/.containerenv") or os.path.exists("/.dockerenv"), flush=True)
                          return {"items": len(upstream["result"]["items"]), "hostname": os.uname().nodename}
            """);

        var logs = await File.ReadAllTextAsync(Path.Combine(harness.DataDir, "results", tasks[1].WorkflowId, "count", "logs.txt"));
        Assert.True(state == WorkflowState.Succeeded, string.Join("; ", tasks.Select(t => $"{t.Name}: {t.Error}")) + "\n" + logs);
        var value = JsonNode.Parse(tasks[1].Result!)!["value"]!;
        Assert.Equal(2, value["items"]!.GetValue<int>());
        Assert.NotEqual(Environment.MachineName, value["hostname"]!.GetValue<string>());
        Assert.Contains("inside True", logs, StringComparison.Ordinal);
    }
}
