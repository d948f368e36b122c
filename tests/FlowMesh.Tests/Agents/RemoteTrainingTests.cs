using FlowMesh.Tests.Containers;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Agents;

/// <summary>
/// A two-stage fine-tune on a node agent with its own work directory: the second stage's checkpoint archive is fetched
/// from the server (the first stage's uploaded artifact, bigger than the API's 4 MiB body limit), unpacked and resumed
/// from, all through real processes.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RemoteTrainingTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public async Task Run_TwoStageSftOnAnAgent_SecondStageResumesFromTheUploadedArchive()
    {
        if (!ContainerRuntime.Available(output))
        {
            return;
        }

        var image = await TestImages.WithEntrypointAsync("flowmesh-fake-trainer", ["sh", "-c", TrainingExecutorTests.Trainer]);
        await using var server = await ServerProcess.StartServerAsync(Path.Combine(_dir.Path, "server"), "--lease-seconds", "5");
        await using var agent = await AgentProcess.StartAsync(server, "node-trainer", Path.Combine(_dir.Path, "node"),
            "--train-image", $"sft={image}", "--container-network", "none", "--docker-host", $"unix://{ContainerRuntime.Socket}");
        using var client = server.Client(server.AdminToken);

        var submitted = await client.SubmitAsync("""
            apiVersion: flowmesh/v1
            kind: SFTTask
            metadata: {name: remote-sft}
            spec:
              taskType: sft
              model:
                source: {type: huggingface, identifier: test/tiny-base}
              stages:
                - name: stage-one
                  spec:
                    data: {dataset_name: local/rows}
                    training: {num_train_epochs: 1, learning_rate: 5.0e-5}
                - name: stage-two
                  spec:
                    checkpoint:
                      load: {type: http, url: "${stage-one.final_model_archive}"}
                    data: {dataset_name: local/rows}
                    training: {num_train_epochs: 1, learning_rate: 5.0e-5}
            """);
        var done = await client.WaitForEndAsync(submitted.WorkflowId);
        Assert.True(done.Workflow.State == "Succeeded", string.Join("; ", done.Tasks.Select(t => $"{t.Name}: {t.Error}")) + "\n" + agent.Log);
        Assert.All(done.Tasks, t => Assert.Equal("node-trainer", t.Node));
        var logs = await client.GetLogsAsync(submitted.WorkflowId, "stage-two");
        Assert.Contains(logs.Entries, l => l.Text == "resumed from: stage-one");
        using var bundle = new MemoryStream();
        await client.DownloadFileAsync(submitted.WorkflowId, "stage-two", "artifacts/final_model.tar.gz", bundle);
        Assert.True(bundle.Length > 6_000_000, $"the archive is {bundle.Length} bytes; the 6 MB model did not make it through the upload");
    }

    public void Dispose() => _dir.Dispose();
}
